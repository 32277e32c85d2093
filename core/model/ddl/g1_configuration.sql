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
