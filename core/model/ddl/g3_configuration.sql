CREATE TABLE dbo.EncryptionKey (KeyId uniqueidentifier NOT NULL CONSTRAINT PK_EncryptionKey PRIMARY KEY,
  Origin varchar(16) NOT NULL CONSTRAINT CK_EncryptionKey_Origin CHECK (Origin IN ('Generated','Imported')),
  SourceInstallationId uniqueidentifier NULL, AddedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE TABLE dbo.ManagedDomain (DomainGuid uniqueidentifier NOT NULL CONSTRAINT PK_ManagedDomain PRIMARY KEY,
  DnsName nvarchar(255) NOT NULL CONSTRAINT UQ_ManagedDomain_DnsName UNIQUE, NetBiosName nvarchar(15) NULL,
  OverrideAccountDomain nvarchar(255) NULL, OverrideAccountName nvarchar(256) NULL, OverridePassword varbinary(1024) NULL,
  PasswordState varchar(16) NOT NULL CONSTRAINT CK_ManagedDomain_PasswordState CHECK (PasswordState IN ('NotSet','Set','ReentryRequired')),
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()),
  CONSTRAINT CK_ManagedDomain_Password CHECK ((PasswordState = 'Set' AND OverridePassword IS NOT NULL)
    OR (PasswordState <> 'Set' AND OverridePassword IS NULL)));
CREATE TABLE dbo.ManagedUnit (UnitGuid uniqueidentifier NOT NULL CONSTRAINT PK_ManagedUnit PRIMARY KEY,
  Name nvarchar(512) NOT NULL, Description nvarchar(2048) NULL, MembershipRules xml NULL,
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE TABLE dbo.AccessTemplate (TemplateGuid uniqueidentifier NOT NULL CONSTRAINT PK_AccessTemplate PRIMARY KEY,
  Name nvarchar(512) NOT NULL, Description nvarchar(2048) NULL, Definition xml NOT NULL, IsBuiltIn bit NOT NULL DEFAULT (0),
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE TABLE dbo.PermissionAssignment (AssignmentGuid uniqueidentifier NOT NULL CONSTRAINT PK_PermissionAssignment PRIMARY KEY,
  TemplateGuid uniqueidentifier NOT NULL CONSTRAINT FK_PermissionAssignment_AccessTemplate REFERENCES dbo.AccessTemplate (TemplateGuid),
  TrusteeSid varchar(184) NOT NULL, TargetDn nvarchar(2048) NOT NULL,
  TargetKind varchar(16) NOT NULL CONSTRAINT CK_PermissionAssignment_TargetKind CHECK (TargetKind IN ('ManagedUnit','Directory')),
  AppliesTo varchar(32) NOT NULL CONSTRAINT CK_PermissionAssignment_AppliesTo
    CHECK (AppliesTo IN ('ThisObject','ChildObjects','ThisObjectAndChildObjects')),
  IsEnabled bit NOT NULL DEFAULT (1),
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE INDEX IX_PermissionAssignment_TemplateGuid ON dbo.PermissionAssignment (TemplateGuid);
CREATE INDEX IX_PermissionAssignment_TrusteeSid ON dbo.PermissionAssignment (TrusteeSid);
CREATE TABLE dbo.Policy (PolicyGuid uniqueidentifier NOT NULL CONSTRAINT PK_Policy PRIMARY KEY,
  Name nvarchar(512) NOT NULL, PolicyType nvarchar(64) NOT NULL, Definition xml NOT NULL, IsBuiltIn bit NOT NULL DEFAULT (0),
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE TABLE dbo.PolicyLink (
  PolicyGuid uniqueidentifier NOT NULL CONSTRAINT FK_PolicyLink_Policy REFERENCES dbo.Policy (PolicyGuid) ON DELETE CASCADE,
  LinkOrder int NOT NULL CONSTRAINT CK_PolicyLink_LinkOrder CHECK (LinkOrder >= 1),
  TargetDn nvarchar(2048) NOT NULL, CONSTRAINT PK_PolicyLink PRIMARY KEY (PolicyGuid, LinkOrder));
CREATE TABLE dbo.Workflow (WorkflowGuid uniqueidentifier NOT NULL CONSTRAINT PK_Workflow PRIMARY KEY, Name nvarchar(512) NOT NULL,
  WorkflowType varchar(16) NOT NULL CONSTRAINT CK_Workflow_WorkflowType CHECK (WorkflowType IN ('Change','Automation')),
  Definition xml NOT NULL, IsEnabled bit NOT NULL DEFAULT (1), IsBuiltIn bit NOT NULL DEFAULT (0),
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE TABLE dbo.VirtualAttribute (AttributeGuid uniqueidentifier NOT NULL CONSTRAINT PK_VirtualAttribute PRIMARY KEY,
  AttributeName nvarchar(256) NOT NULL CONSTRAINT UQ_VirtualAttribute_AttributeName UNIQUE,
  SyntaxOid varchar(64) NOT NULL, IsMultiValued bit NOT NULL DEFAULT (0), StoreInDatabase bit NOT NULL DEFAULT (1),
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE TABLE dbo.VirtualAttributeClass (AttributeGuid uniqueidentifier NOT NULL
    CONSTRAINT FK_VirtualAttributeClass_VirtualAttribute REFERENCES dbo.VirtualAttribute (AttributeGuid) ON DELETE CASCADE,
  ClassName nvarchar(256) NOT NULL, CONSTRAINT PK_VirtualAttributeClass PRIMARY KEY (AttributeGuid, ClassName));
CREATE TABLE dbo.ScheduledTask (TaskGuid uniqueidentifier NOT NULL CONSTRAINT PK_ScheduledTask PRIMARY KEY,
  Name nvarchar(512) NOT NULL, Schedule xml NOT NULL,
  RunOn varchar(16) NOT NULL CONSTRAINT CK_ScheduledTask_RunOn CHECK (RunOn IN ('SpecificServer','AllServers')),
  ServiceHost nvarchar(255) NULL, IsEditable bit NOT NULL DEFAULT (1), IsEnabled bit NOT NULL DEFAULT (1), IsBuiltIn bit NOT NULL DEFAULT (0),
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()),
  CONSTRAINT CK_ScheduledTask_ServiceHost CHECK ((RunOn = 'AllServers' AND ServiceHost IS NULL)
    OR (RunOn = 'SpecificServer' AND ServiceHost IS NOT NULL)));
CREATE TABLE dbo.DynamicGroup (GroupGuid uniqueidentifier NOT NULL CONSTRAINT PK_DynamicGroup PRIMARY KEY,
  GroupDn nvarchar(2048) NOT NULL, MembershipRules xml NOT NULL, ServiceHost nvarchar(255) NOT NULL,
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE TABLE dbo.GroupFamily (FamilyGuid uniqueidentifier NOT NULL CONSTRAINT PK_GroupFamily PRIMARY KEY,
  Name nvarchar(512) NOT NULL, Definition xml NOT NULL, ServiceHost nvarchar(255) NOT NULL,
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE TABLE dbo.WebInterfaceSite (SiteGuid uniqueidentifier NOT NULL CONSTRAINT PK_WebInterfaceSite PRIMARY KEY,
  Name nvarchar(512) NOT NULL CONSTRAINT UQ_WebInterfaceSite_Name UNIQUE,
  Template varchar(24) NOT NULL CONSTRAINT CK_WebInterfaceSite_Template
    CHECK (Template IN ('Administrators','HelpDesk','SelfAdministration','Custom')),
  ProductVersion varchar(16) NOT NULL, CurrentRevision int NOT NULL DEFAULT (1), SourceSiteGuid uniqueidentifier NULL,
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE TABLE dbo.WebInterfaceSiteDocument (SiteGuid uniqueidentifier NOT NULL
    CONSTRAINT FK_WebInterfaceSiteDocument_Site REFERENCES dbo.WebInterfaceSite (SiteGuid) ON DELETE CASCADE,
  Revision int NOT NULL, SchemaVersion int NOT NULL, SavedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()),
  Document nvarchar(max) NOT NULL CONSTRAINT CK_WebInterfaceSiteDocument_Json CHECK (ISJSON(Document) = 1),
  CONSTRAINT PK_WebInterfaceSiteDocument PRIMARY KEY (SiteGuid, Revision));
CREATE TABLE dbo.WebInterfaceBinding (BindingId int IDENTITY(1,1) NOT NULL CONSTRAINT PK_WebInterfaceBinding PRIMARY KEY,
  SiteGuid uniqueidentifier NOT NULL CONSTRAINT FK_WebInterfaceBinding_Site REFERENCES dbo.WebInterfaceSite (SiteGuid) ON DELETE CASCADE,
  IisSiteName nvarchar(256) NOT NULL, ApplicationAlias nvarchar(256) NOT NULL,
  BindingState varchar(8) NOT NULL CONSTRAINT CK_WebInterfaceBinding_State CHECK (BindingState IN ('Active','Legacy')));
CREATE UNIQUE INDEX UX_WebInterfaceBinding_Active
  ON dbo.WebInterfaceBinding (IisSiteName, ApplicationAlias) WHERE BindingState = 'Active';
CREATE TABLE dbo.AddOn (AddOnGuid uniqueidentifier NOT NULL CONSTRAINT PK_AddOn PRIMARY KEY,
  Name nvarchar(256) NOT NULL, Version varchar(32) NOT NULL, InstalledUtc datetime2(3) NOT NULL);
CREATE TABLE dbo.AzureTenant (TenantId uniqueidentifier NOT NULL CONSTRAINT PK_AzureTenant PRIMARY KEY,
  DisplayName nvarchar(512) NOT NULL, ApplicationId uniqueidentifier NOT NULL, ClientSecret varbinary(1024) NULL,
  AuthState varchar(24) NOT NULL CONSTRAINT CK_AzureTenant_AuthState CHECK (AuthState IN ('Authenticated','ReauthenticationRequired')),
  CreatedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()), ModifiedUtc datetime2(3) NOT NULL DEFAULT (SYSUTCDATETIME()));
CREATE TABLE dbo.ReplicationPartner (PartnerServer nvarchar(255) NOT NULL, DatabaseName nvarchar(128) NOT NULL,
  PartnerRole varchar(16) NOT NULL, CONSTRAINT PK_ReplicationPartner PRIMARY KEY (PartnerServer, DatabaseName));
