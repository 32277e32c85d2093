CREATE TABLE dbo.Settings (Name nvarchar(64) NOT NULL CONSTRAINT PK_Settings PRIMARY KEY, Value nvarchar(400) NULL);
CREATE TABLE dbo.ChangeHistory (RecordId int IDENTITY(1,1) NOT NULL CONSTRAINT PK_ChangeHistory PRIMARY KEY,
  ChangeTime datetime NOT NULL, InitiatorSid varbinary(68) NULL, InitiatorName nvarchar(256) NULL,
  ObjectDn nvarchar(1024) NOT NULL, ObjectGuid uniqueidentifier NULL, ObjectClass nvarchar(64) NULL,
  Operation tinyint NOT NULL, Status tinyint NOT NULL, ServerName nvarchar(255) NULL, Details xml NULL);
CREATE INDEX IX_ChangeHistory_ChangeTime ON dbo.ChangeHistory (ChangeTime);
CREATE INDEX IX_ChangeHistory_ObjectGuid ON dbo.ChangeHistory (ObjectGuid);
CREATE TABLE dbo.ApprovalTask (TaskId int IDENTITY(1,1) NOT NULL CONSTRAINT PK_ApprovalTask PRIMARY KEY,
  RecordId int NOT NULL CONSTRAINT FK_ApprovalTask_ChangeHistory REFERENCES dbo.ChangeHistory (RecordId),
  Status tinyint NOT NULL, Created datetime NOT NULL, Completed datetime NULL,
  ApproverSid varbinary(68) NULL, ApproverName nvarchar(256) NULL, Comment nvarchar(1024) NULL);
CREATE INDEX IX_ApprovalTask_RecordId ON dbo.ApprovalTask (RecordId);
CREATE TABLE dbo.TemporalMembership (MembershipId int IDENTITY(1,1) NOT NULL CONSTRAINT PK_TemporalMembership PRIMARY KEY,
  GroupGuid uniqueidentifier NOT NULL, GroupDn nvarchar(1024) NOT NULL,
  MemberGuid uniqueidentifier NOT NULL, MemberDn nvarchar(1024) NOT NULL,
  Created datetime NOT NULL, StartTime datetime NULL, EndTime datetime NULL, State tinyint NOT NULL);
