CREATE TABLE dbo.Settings (Name nvarchar(64) NOT NULL CONSTRAINT PK_Settings PRIMARY KEY, Value nvarchar(400) NULL);
CREATE TABLE dbo.ManagedDomain (DomainGuid uniqueidentifier NOT NULL CONSTRAINT PK_ManagedDomain PRIMARY KEY,
  DnsName nvarchar(255) NOT NULL CONSTRAINT UQ_ManagedDomain_DnsName UNIQUE, NetBiosName nvarchar(15) NULL,
  OverrideAccount nvarchar(256) NULL, OverridePassword varbinary(512) NULL, -- 'NETBIOS\sam' or UPN; v1 value (section 9.1)
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE TABLE dbo.ManagedUnit (UnitGuid uniqueidentifier NOT NULL CONSTRAINT PK_ManagedUnit PRIMARY KEY,
  Name nvarchar(256) NOT NULL, Description nvarchar(1024) NULL, MembershipRules xml NULL,
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE TABLE dbo.AccessTemplate (TemplateGuid uniqueidentifier NOT NULL CONSTRAINT PK_AccessTemplate PRIMARY KEY,
  Name nvarchar(256) NOT NULL, Description nvarchar(1024) NULL, Permissions xml NOT NULL, IsBuiltIn bit NOT NULL DEFAULT (0),
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE TABLE dbo.PermissionAssignment (AssignmentGuid uniqueidentifier NOT NULL CONSTRAINT PK_PermissionAssignment PRIMARY KEY,
  TemplateGuid uniqueidentifier NOT NULL CONSTRAINT FK_PermissionAssignment_AccessTemplate REFERENCES dbo.AccessTemplate (TemplateGuid),
  TrusteeSid varbinary(68) NOT NULL, TargetDn nvarchar(1024) NOT NULL,
  Scope tinyint NOT NULL DEFAULT (2), IsDisabled bit NOT NULL DEFAULT (0),
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE INDEX IX_PermissionAssignment_TemplateGuid ON dbo.PermissionAssignment (TemplateGuid);
CREATE TABLE dbo.Policy (PolicyGuid uniqueidentifier NOT NULL CONSTRAINT PK_Policy PRIMARY KEY,
  Name nvarchar(256) NOT NULL, PolicyType nvarchar(64) NOT NULL, PolicyXml xml NOT NULL, IsBuiltIn bit NOT NULL DEFAULT (0),
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE TABLE dbo.PolicyLink (LinkId int IDENTITY(1,1) NOT NULL CONSTRAINT PK_PolicyLink PRIMARY KEY,
  PolicyGuid uniqueidentifier NOT NULL CONSTRAINT FK_PolicyLink_Policy REFERENCES dbo.Policy (PolicyGuid) ON DELETE CASCADE,
  TargetDn nvarchar(1024) NOT NULL);
CREATE INDEX IX_PolicyLink_PolicyGuid ON dbo.PolicyLink (PolicyGuid);
CREATE TABLE dbo.Workflow (WorkflowGuid uniqueidentifier NOT NULL CONSTRAINT PK_Workflow PRIMARY KEY,
  Name nvarchar(256) NOT NULL, WorkflowType tinyint NOT NULL, WorkflowXml xml NOT NULL,
  IsEnabled bit NOT NULL DEFAULT (1), IsBuiltIn bit NOT NULL DEFAULT (0),
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE TABLE dbo.VirtualAttribute (AttributeGuid uniqueidentifier NOT NULL CONSTRAINT PK_VirtualAttribute PRIMARY KEY,
  LdapDisplayName nvarchar(256) NOT NULL CONSTRAINT UQ_VirtualAttribute_LdapDisplayName UNIQUE,
  Syntax varchar(32) NOT NULL, IsMultiValued bit NOT NULL DEFAULT (0), StoreInDatabase bit NOT NULL DEFAULT (1),
  AppliesToClasses nvarchar(1024) NULL, -- ';'-separated class names
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE TABLE dbo.ScheduledTask (TaskGuid uniqueidentifier NOT NULL CONSTRAINT PK_ScheduledTask PRIMARY KEY,
  Name nvarchar(256) NOT NULL, ScheduleXml xml NOT NULL, ExecutionServer nvarchar(255) NULL, -- FQDN or '*'
  IsEditable bit NOT NULL DEFAULT (1), IsEnabled bit NOT NULL DEFAULT (1), IsBuiltIn bit NOT NULL DEFAULT (0),
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE TABLE dbo.DynamicGroup (GroupGuid uniqueidentifier NOT NULL CONSTRAINT PK_DynamicGroup PRIMARY KEY,
  GroupDn nvarchar(1024) NOT NULL, RulesXml xml NOT NULL, ExecutionServer nvarchar(255) NULL,
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE TABLE dbo.GroupFamily (FamilyGuid uniqueidentifier NOT NULL CONSTRAINT PK_GroupFamily PRIMARY KEY,
  Name nvarchar(256) NOT NULL, ConfigXml xml NOT NULL, ExecutionServer nvarchar(255) NULL,
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE TABLE dbo.WebInterfaceSite (SiteGuid uniqueidentifier NOT NULL CONSTRAINT PK_WebInterfaceSite PRIMARY KEY,
  Name nvarchar(256) NOT NULL CONSTRAINT UQ_WebInterfaceSite_Name UNIQUE,
  ProductVersion varchar(16) NOT NULL, SiteXml xml NOT NULL, IisSiteName nvarchar(256) NULL, AppAlias nvarchar(256) NULL,
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE TABLE dbo.AddOn (AddOnGuid uniqueidentifier NOT NULL CONSTRAINT PK_AddOn PRIMARY KEY,
  Name nvarchar(256) NOT NULL, Version varchar(32) NOT NULL, InstalledUtc datetime2(3) NOT NULL);
CREATE TABLE dbo.AzureTenant (TenantId uniqueidentifier NOT NULL CONSTRAINT PK_AzureTenant PRIMARY KEY,
  DisplayName nvarchar(256) NOT NULL, ApplicationId uniqueidentifier NOT NULL, ClientSecret varbinary(512) NULL, -- v1 value
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE TABLE dbo.ReplicationPartner (PartnerServer nvarchar(255) NOT NULL, DatabaseName nvarchar(128) NOT NULL,
  PartnerRole varchar(16) NOT NULL, CONSTRAINT PK_ReplicationPartner PRIMARY KEY (PartnerServer, DatabaseName));
