CREATE TABLE dbo.ChangeRecord (RecordId bigint IDENTITY(1,1) NOT NULL CONSTRAINT PK_ChangeRecord PRIMARY KEY,
  RecordGuid uniqueidentifier NOT NULL CONSTRAINT UQ_ChangeRecord_RecordGuid UNIQUE,
  ChangeTimeUtc datetime2(3) NOT NULL, InitiatorSid varchar(184) NULL, InitiatorName nvarchar(512) NULL,
  ObjectDn nvarchar(2048) NOT NULL, ObjectGuid uniqueidentifier NULL, ObjectClass nvarchar(128) NULL,
  Operation varchar(16) NOT NULL CONSTRAINT CK_ChangeRecord_Operation CHECK (Operation IN
    ('Create','Modify','Delete','Move','Rename','Deprovision','Undeprovision','Unknown')),
  Status varchar(16) NOT NULL CONSTRAINT CK_ChangeRecord_Status
    CHECK (Status IN ('Completed','Failed','PendingApproval','Rejected','Unknown')),
  ServiceHost nvarchar(255) NOT NULL, CorrelationId uniqueidentifier NULL,
  OriginInstallationId uniqueidentifier NULL, OriginRecordId bigint NULL,
  ImportRunId int NULL CONSTRAINT FK_ChangeRecord_ImportRun REFERENCES dbo.ImportRun (ImportRunId),
  CONSTRAINT CK_ChangeRecord_Origin CHECK ((OriginInstallationId IS NULL AND OriginRecordId IS NULL)
    OR (OriginInstallationId IS NOT NULL AND OriginRecordId IS NOT NULL)));
CREATE UNIQUE INDEX UX_ChangeRecord_Origin ON dbo.ChangeRecord (OriginInstallationId, OriginRecordId)
  WHERE OriginInstallationId IS NOT NULL;
CREATE INDEX IX_ChangeRecord_ChangeTimeUtc ON dbo.ChangeRecord (ChangeTimeUtc);
CREATE INDEX IX_ChangeRecord_ObjectGuid ON dbo.ChangeRecord (ObjectGuid);
CREATE INDEX IX_ChangeRecord_CorrelationId ON dbo.ChangeRecord (CorrelationId);
CREATE TABLE dbo.ChangeRecordAttribute (RecordId bigint NOT NULL
    CONSTRAINT FK_ChangeRecordAttribute_ChangeRecord REFERENCES dbo.ChangeRecord (RecordId) ON DELETE CASCADE,
  Seq int NOT NULL, AttributeName nvarchar(256) NOT NULL,
  ChangeType varchar(8) NOT NULL CONSTRAINT CK_ChangeRecordAttribute_ChangeType
    CHECK (ChangeType IN ('Replace','Add','Remove','Clear','Unknown')),
  OldValue nvarchar(max) NULL, NewValue nvarchar(max) NULL, CONSTRAINT PK_ChangeRecordAttribute PRIMARY KEY (RecordId, Seq));
CREATE TABLE dbo.ApprovalTask (TaskId bigint IDENTITY(1,1) NOT NULL CONSTRAINT PK_ApprovalTask PRIMARY KEY,
  TaskGuid uniqueidentifier NOT NULL CONSTRAINT UQ_ApprovalTask_TaskGuid UNIQUE,
  RecordGuid uniqueidentifier NOT NULL CONSTRAINT FK_ApprovalTask_ChangeRecord REFERENCES dbo.ChangeRecord (RecordGuid),
  Status varchar(16) NOT NULL CONSTRAINT CK_ApprovalTask_Status CHECK (Status IN ('Pending','Approved','Rejected','Unknown')),
  CreatedUtc datetime2(3) NOT NULL, CompletedUtc datetime2(3) NULL,
  ApproverSid varchar(184) NULL, ApproverName nvarchar(512) NULL, Comment nvarchar(2048) NULL,
  OriginInstallationId uniqueidentifier NULL, OriginTaskId bigint NULL,
  ImportRunId int NULL CONSTRAINT FK_ApprovalTask_ImportRun REFERENCES dbo.ImportRun (ImportRunId));
CREATE INDEX IX_ApprovalTask_RecordGuid ON dbo.ApprovalTask (RecordGuid);
CREATE TABLE dbo.TemporalMembership (MembershipId bigint IDENTITY(1,1) NOT NULL CONSTRAINT PK_TemporalMembership PRIMARY KEY,
  MembershipGuid uniqueidentifier NOT NULL CONSTRAINT UQ_TemporalMembership_MembershipGuid UNIQUE,
  GroupGuid uniqueidentifier NOT NULL, GroupDn nvarchar(2048) NOT NULL,
  MemberGuid uniqueidentifier NOT NULL, MemberDn nvarchar(2048) NOT NULL,
  CreatedUtc datetime2(3) NOT NULL, StartUtc datetime2(3) NULL, EndUtc datetime2(3) NULL,
  State varchar(16) NOT NULL CONSTRAINT CK_TemporalMembership_State CHECK (State IN ('Scheduled','Active','Finished')),
  OriginInstallationId uniqueidentifier NULL, OriginMembershipId bigint NULL,
  ImportRunId int NULL CONSTRAINT FK_TemporalMembership_ImportRun REFERENCES dbo.ImportRun (ImportRunId),
  CONSTRAINT CK_TemporalMembership_Range CHECK (StartUtc IS NULL OR EndUtc IS NULL OR EndUtc >= StartUtc));
CREATE INDEX IX_TemporalMembership_GroupGuid ON dbo.TemporalMembership (GroupGuid);
