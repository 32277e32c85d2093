CREATE TABLE dbo.Settings (Name nvarchar(64) NOT NULL CONSTRAINT PK_Settings PRIMARY KEY, Value nvarchar(400) NULL);
CREATE TABLE dbo.EventSource (SourceId int IDENTITY(1,1) NOT NULL CONSTRAINT PK_EventSource PRIMARY KEY,
  Kind tinyint NOT NULL, Name nvarchar(256) NOT NULL, Domain nvarchar(256) NULL);
CREATE TABLE dbo.Events (EventId bigint IDENTITY(1,1) NOT NULL CONSTRAINT PK_Events PRIMARY KEY,
  SourceId int NOT NULL CONSTRAINT FK_Events_EventSource REFERENCES dbo.EventSource (SourceId),
  EventTime datetime NOT NULL, Category tinyint NOT NULL, EventCode int NOT NULL,
  ObjectDn nvarchar(1024) NULL, ObjectGuid uniqueidentifier NULL,
  InitiatorSid varbinary(68) NULL, InitiatorName nvarchar(256) NULL, Data ntext NULL);
CREATE INDEX IX_Events_EventTime ON dbo.Events (EventTime);
