CREATE TABLE dbo.Settings (Name nvarchar(64) NOT NULL CONSTRAINT PK_Settings PRIMARY KEY, Value nvarchar(400) NULL);
CREATE TABLE dbo.ImportRun (ImportRunId int IDENTITY(1,1) NOT NULL CONSTRAINT PK_ImportRun PRIMARY KEY,
  Kind varchar(16) NOT NULL CONSTRAINT CK_ImportRun_Kind CHECK (Kind IN ('Configuration','History')),
  SourceInstallationId uniqueidentifier NOT NULL, SourceVersion varchar(32) NOT NULL,
  SourceServer nvarchar(255) NOT NULL, SourceDatabase nvarchar(128) NOT NULL,
  Mode varchar(16) NULL CONSTRAINT CK_ImportRun_Mode CHECK (Mode IN ('All','DateRange')),
  RangeFromUtc datetime2(3) NULL, RangeToUtc datetime2(3) NULL, CutoffUtc datetime2(3) NULL,
  StartedUtc datetime2(3) NOT NULL, FinishedUtc datetime2(3) NULL,
  Outcome varchar(16) NOT NULL CONSTRAINT CK_ImportRun_Outcome CHECK (Outcome IN ('Running','Succeeded','Failed')),
  AddedCount int NOT NULL DEFAULT (0), SkippedCount int NOT NULL DEFAULT (0),
  Report nvarchar(max) NULL CONSTRAINT CK_ImportRun_Report CHECK (ISJSON(Report) = 1));
