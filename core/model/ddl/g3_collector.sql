CREATE TABLE dbo.Settings (Name nvarchar(64) NOT NULL CONSTRAINT PK_Settings PRIMARY KEY, Value nvarchar(400) NULL);
CREATE TABLE dbo.ImportRun (ImportRunId int IDENTITY(1,1) NOT NULL CONSTRAINT PK_ImportRun PRIMARY KEY,
  Kind varchar(16) NOT NULL CONSTRAINT CK_ImportRun_Kind CHECK (Kind IN ('Collector')),
  SourceInstallationId uniqueidentifier NOT NULL, SourceVersion varchar(32) NOT NULL,
  SourceServer nvarchar(255) NOT NULL, SourceDatabase nvarchar(128) NOT NULL,
  Mode varchar(16) NULL CONSTRAINT CK_ImportRun_Mode CHECK (Mode IN ('All','DateRange')),
  RangeFromUtc datetime2(3) NULL, RangeToUtc datetime2(3) NULL, CutoffUtc datetime2(3) NULL,
  StartedUtc datetime2(3) NOT NULL, FinishedUtc datetime2(3) NULL,
  Outcome varchar(16) NOT NULL CONSTRAINT CK_ImportRun_Outcome CHECK (Outcome IN ('Running','Succeeded','Failed')),
  AddedCount int NOT NULL DEFAULT (0), SkippedCount int NOT NULL DEFAULT (0),
  Report nvarchar(max) NULL CONSTRAINT CK_ImportRun_Report CHECK (ISJSON(Report) = 1));
CREATE TABLE dbo.CollectedEvent (EventId bigint IDENTITY(1,1) NOT NULL CONSTRAINT PK_CollectedEvent PRIMARY KEY,
  EventGuid uniqueidentifier NOT NULL CONSTRAINT UQ_CollectedEvent_EventGuid UNIQUE,
  EventTimeUtc datetime2(3) NOT NULL,
  SourceKind varchar(24) NOT NULL CONSTRAINT CK_CollectedEvent_SourceKind
    CHECK (SourceKind IN ('DomainController','ActiveRolesService','ExchangeServer','Unknown')),
  SourceName nvarchar(256) NOT NULL,
  Category varchar(24) NOT NULL CONSTRAINT CK_CollectedEvent_Category CHECK (Category IN
    ('Logon','AccountManagement','DirectoryChange','GroupPolicy','ActiveRoles','Unknown')),
  EventCode int NOT NULL, ObjectDn nvarchar(2048) NULL, ObjectGuid uniqueidentifier NULL,
  InitiatorSid varchar(184) NULL, InitiatorName nvarchar(512) NULL,
  Properties nvarchar(max) NOT NULL CONSTRAINT CK_CollectedEvent_Properties CHECK (ISJSON(Properties) = 1),
  OriginInstallationId uniqueidentifier NULL, OriginEventId bigint NULL,
  ImportRunId int NULL CONSTRAINT FK_CollectedEvent_ImportRun REFERENCES dbo.ImportRun (ImportRunId),
  CONSTRAINT CK_CollectedEvent_Origin CHECK ((OriginInstallationId IS NULL AND OriginEventId IS NULL)
    OR (OriginInstallationId IS NOT NULL AND OriginEventId IS NOT NULL)));
CREATE UNIQUE INDEX UX_CollectedEvent_Origin ON dbo.CollectedEvent (OriginInstallationId, OriginEventId)
  WHERE OriginInstallationId IS NOT NULL;
CREATE INDEX IX_CollectedEvent_EventTimeUtc ON dbo.CollectedEvent (EventTimeUtc);
