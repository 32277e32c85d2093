CREATE TABLE dbo.Settings (Name nvarchar(64) NOT NULL CONSTRAINT PK_Settings PRIMARY KEY, Value nvarchar(400) NULL);
CREATE TABLE dbo.ChangeRecord (RecordId bigint IDENTITY(1,1) NOT NULL CONSTRAINT PK_ChangeRecord PRIMARY KEY,
  RecordGuid uniqueidentifier NOT NULL DEFAULT (NEWID()) CONSTRAINT UQ_ChangeRecord_RecordGuid UNIQUE,
  ChangeTimeUtc datetime2(3) NOT NULL, InitiatorSid varbinary(68) NULL, InitiatorName nvarchar(256) NULL,
  ObjectDn nvarchar(1024) NOT NULL, ObjectGuid uniqueidentifier NULL, ObjectClass nvarchar(64) NULL,
  Operation tinyint NOT NULL, Status tinyint NOT NULL, ServiceHost nvarchar(255) NULL,
  OriginInstallationId uniqueidentifier NULL, OriginRecordId bigint NULL);
CREATE INDEX IX_ChangeRecord_ChangeTimeUtc ON dbo.ChangeRecord (ChangeTimeUtc);
CREATE INDEX IX_ChangeRecord_ObjectGuid ON dbo.ChangeRecord (ObjectGuid);
CREATE TABLE dbo.ChangeRecordAttribute (
  RecordId bigint NOT NULL CONSTRAINT FK_ChangeRecordAttribute_ChangeRecord REFERENCES dbo.ChangeRecord (RecordId) ON DELETE CASCADE,
  Seq int NOT NULL, AttributeName nvarchar(256) NOT NULL, ChangeType tinyint NOT NULL,
  OldValue nvarchar(max) NULL, NewValue nvarchar(max) NULL, CONSTRAINT PK_ChangeRecordAttribute PRIMARY KEY (RecordId, Seq));
CREATE TABLE dbo.ApprovalTask (TaskId bigint IDENTITY(1,1) NOT NULL CONSTRAINT PK_ApprovalTask PRIMARY KEY,
  TaskGuid uniqueidentifier NOT NULL DEFAULT (NEWID()) CONSTRAINT UQ_ApprovalTask_TaskGuid UNIQUE,
  RecordId bigint NOT NULL CONSTRAINT FK_ApprovalTask_ChangeRecord REFERENCES dbo.ChangeRecord (RecordId),
  Status tinyint NOT NULL, CreatedUtc datetime2(3) NOT NULL, CompletedUtc datetime2(3) NULL,
  ApproverSid varbinary(68) NULL, ApproverName nvarchar(256) NULL, Comment nvarchar(1024) NULL,
  OriginInstallationId uniqueidentifier NULL, OriginTaskId bigint NULL);
CREATE INDEX IX_ApprovalTask_RecordId ON dbo.ApprovalTask (RecordId);
CREATE TABLE dbo.TemporalMembership (MembershipId bigint IDENTITY(1,1) NOT NULL CONSTRAINT PK_TemporalMembership PRIMARY KEY,
  MembershipGuid uniqueidentifier NOT NULL DEFAULT (NEWID()) CONSTRAINT UQ_TemporalMembership_MembershipGuid UNIQUE,
  GroupGuid uniqueidentifier NOT NULL, GroupDn nvarchar(1024) NOT NULL,
  MemberGuid uniqueidentifier NOT NULL, MemberDn nvarchar(1024) NOT NULL,
  CreatedUtc datetime2(3) NOT NULL, StartUtc datetime2(3) NULL, EndUtc datetime2(3) NULL, State tinyint NOT NULL,
  OriginInstallationId uniqueidentifier NULL, OriginMembershipId bigint NULL);
