CREATE TABLE dbo.Settings (Name nvarchar(64) NOT NULL CONSTRAINT PK_Settings PRIMARY KEY, Value nvarchar(400) NULL);
CREATE TABLE dbo.ConfigObject (ObjectId int IDENTITY(1,1) NOT NULL CONSTRAINT PK_ConfigObject PRIMARY KEY,
  ObjectGuid uniqueidentifier NOT NULL CONSTRAINT UQ_ConfigObject_ObjectGuid UNIQUE,
  ObjectClass varchar(32) NOT NULL, Name nvarchar(256) NOT NULL, IsBuiltIn bit NOT NULL DEFAULT (0),
  WhenCreated datetime NOT NULL DEFAULT (GETDATE()), WhenChanged datetime NOT NULL DEFAULT (GETDATE()));
CREATE INDEX IX_ConfigObject_Class_Name ON dbo.ConfigObject (ObjectClass, Name);
CREATE TABLE dbo.ConfigAttribute (
  ObjectId int NOT NULL CONSTRAINT FK_ConfigAttribute_ConfigObject REFERENCES dbo.ConfigObject (ObjectId) ON DELETE CASCADE,
  AttrName varchar(64) NOT NULL, ValueIndex smallint NOT NULL DEFAULT (0),
  StrValue nvarchar(4000) NULL, IntValue bigint NULL, GuidValue uniqueidentifier NULL,
  BinValue varbinary(max) NULL, XmlValue xml NULL,
  CONSTRAINT PK_ConfigAttribute PRIMARY KEY (ObjectId, AttrName, ValueIndex),
  CONSTRAINT CK_ConfigAttribute_OneValue CHECK (
      CASE WHEN StrValue  IS NULL THEN 0 ELSE 1 END + CASE WHEN IntValue IS NULL THEN 0 ELSE 1 END
    + CASE WHEN GuidValue IS NULL THEN 0 ELSE 1 END + CASE WHEN BinValue IS NULL THEN 0 ELSE 1 END
    + CASE WHEN XmlValue  IS NULL THEN 0 ELSE 1 END = 1));
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
