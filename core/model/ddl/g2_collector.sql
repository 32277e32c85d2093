CREATE TABLE dbo.Settings (Name nvarchar(64) NOT NULL CONSTRAINT PK_Settings PRIMARY KEY, Value nvarchar(400) NULL);
CREATE TABLE dbo.CollectedEvent (EventId bigint IDENTITY(1,1) NOT NULL CONSTRAINT PK_CollectedEvent PRIMARY KEY,
  EventGuid uniqueidentifier NOT NULL DEFAULT (NEWID()) CONSTRAINT UQ_CollectedEvent_EventGuid UNIQUE,
  EventTimeUtc datetime2(3) NOT NULL, SourceKind tinyint NOT NULL, SourceName nvarchar(256) NOT NULL,
  Category tinyint NOT NULL, EventCode int NOT NULL, ObjectDn nvarchar(1024) NULL, ObjectGuid uniqueidentifier NULL,
  InitiatorSid varbinary(68) NULL, InitiatorName nvarchar(256) NULL, Properties nvarchar(max) NULL,
  OriginInstallationId uniqueidentifier NULL, OriginEventId bigint NULL);
CREATE INDEX IX_CollectedEvent_EventTimeUtc ON dbo.CollectedEvent (EventTimeUtc);
