package model

import (
	"fmt"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/data"
)

// col renders a column compactly: "Name type [NULL] [IDENTITY]".
func col(c data.Column) string {
	s := c.Name + " " + c.TypeName
	if c.Nullable {
		s += " NULL"
	}
	if c.Identity {
		s += " IDENTITY"
	}
	return s
}

func cols(t *data.Table) string {
	var out []string
	for _, c := range t.Columns {
		out = append(out, col(c))
	}
	return strings.Join(out, ", ")
}

func TestTableColumns(t *testing.T) {
	tests := []struct {
		v     Version
		r     Role
		table string
		want  string
		pk    string
	}{
		{v82, RoleConfiguration, "ManagedDomain",
			"DomainGuid uniqueidentifier, DnsName nvarchar(255), NetBiosName nvarchar(15) NULL, OverrideAccountDomain nvarchar(255) NULL, " +
				"OverrideAccountName nvarchar(256) NULL, OverridePassword varbinary(1024) NULL, PasswordState varchar(16), " +
				"CreatedUtc datetime2(3), ModifiedUtc datetime2(3)", "DomainGuid"},
		{v82, RoleConfiguration, "PolicyLink", "PolicyGuid uniqueidentifier, LinkOrder int, TargetDn nvarchar(2048)", "PolicyGuid,LinkOrder"},
		{v82, RoleConfiguration, "WebInterfaceBinding",
			"BindingId int IDENTITY, SiteGuid uniqueidentifier, IisSiteName nvarchar(256), ApplicationAlias nvarchar(256), BindingState varchar(8)", "BindingId"},
		{v82, RoleConfiguration, "WebInterfaceSiteDocument",
			"SiteGuid uniqueidentifier, Revision int, SchemaVersion int, SavedUtc datetime2(3), Document nvarchar(max)", "SiteGuid,Revision"},
		{v82, RoleConfiguration, "ReplicationPartner", "PartnerServer nvarchar(255), DatabaseName nvarchar(128), PartnerRole varchar(16)", "PartnerServer,DatabaseName"},
		{v82, RoleManagementHistory, "ChangeRecordAttribute",
			"RecordId bigint, Seq int, AttributeName nvarchar(256), ChangeType varchar(8), OldValue nvarchar(max) NULL, NewValue nvarchar(max) NULL", "RecordId,Seq"},
		{v82, RoleManagementHistory, "Settings", "Name nvarchar(64), Value nvarchar(400) NULL", "Name"},
		{v76, RoleConfiguration, "ConfigAttribute",
			"ObjectId int, AttrName varchar(64), ValueIndex smallint, StrValue nvarchar(4000) NULL, IntValue bigint NULL, " +
				"GuidValue uniqueidentifier NULL, BinValue varbinary(max) NULL, XmlValue xml NULL", "ObjectId,AttrName,ValueIndex"},
		{v75, RoleConfiguration, "ConfigObject",
			"ObjectId int IDENTITY, ObjectGuid uniqueidentifier, ObjectClass varchar(32), Name nvarchar(256), IsBuiltIn bit, WhenCreated datetime, WhenChanged datetime", "ObjectId"},
		{v76, RoleCombined, "TemporalMembership",
			"MembershipId int IDENTITY, GroupGuid uniqueidentifier, GroupDn nvarchar(1024), MemberGuid uniqueidentifier, MemberDn nvarchar(1024), " +
				"Created datetime, StartTime datetime NULL, EndTime datetime NULL, State tinyint", "MembershipId"},
		{v80, RoleConfiguration, "ManagedDomain",
			"DomainGuid uniqueidentifier, DnsName nvarchar(255), NetBiosName nvarchar(15) NULL, OverrideAccount nvarchar(256) NULL, " +
				"OverridePassword varbinary(512) NULL, CreatedUtc datetime2(3), ModifiedUtc datetime2(3)", "DomainGuid"},
		{v81, RoleConfiguration, "PolicyLink", "LinkId int IDENTITY, PolicyGuid uniqueidentifier, TargetDn nvarchar(1024)", "LinkId"},
		{v80, RoleManagementHistory, "ChangeRecordAttribute",
			"RecordId bigint, Seq int, AttributeName nvarchar(256), ChangeType tinyint, OldValue nvarchar(max) NULL, NewValue nvarchar(max) NULL", "RecordId,Seq"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s/%s", tt.v.Short(), tt.r, tt.table), func(t *testing.T) {
			tb, err := TableOf(tt.v, tt.r, tt.table)
			if err != nil {
				t.Fatal(err)
			}
			if got := cols(tb); got != tt.want {
				t.Errorf("columns\n got %s\nwant %s", got, tt.want)
			}
			if got := strings.Join(tb.PrimaryKey, ","); got != tt.pk {
				t.Errorf("primary key = %s, want %s", got, tt.pk)
			}
		})
	}
}

func TestTableNames(t *testing.T) {
	tests := []struct {
		v    Version
		r    Role
		want string
	}{
		{v76, RoleConfiguration, "Settings ConfigObject ConfigAttribute"},
		{v76, RoleManagementHistory, "Settings ChangeHistory ApprovalTask TemporalMembership"},
		{v75, RoleCombined, "Settings ConfigObject ConfigAttribute ChangeHistory ApprovalTask TemporalMembership"},
		{v80, RoleConfiguration, "Settings ManagedDomain ManagedUnit AccessTemplate PermissionAssignment Policy PolicyLink Workflow " +
			"VirtualAttribute ScheduledTask DynamicGroup GroupFamily WebInterfaceSite AddOn AzureTenant ReplicationPartner"},
		{v81, RoleManagementHistory, "Settings ChangeRecord ChangeRecordAttribute ApprovalTask TemporalMembership"},
		{v82, RoleConfiguration, "Settings ImportRun EncryptionKey ManagedDomain ManagedUnit AccessTemplate PermissionAssignment Policy PolicyLink " +
			"Workflow VirtualAttribute VirtualAttributeClass ScheduledTask DynamicGroup GroupFamily WebInterfaceSite WebInterfaceSiteDocument " +
			"WebInterfaceBinding AddOn AzureTenant ReplicationPartner"},
		{v82, RoleManagementHistory, "Settings ImportRun ChangeRecord ChangeRecordAttribute ApprovalTask TemporalMembership"},
	}
	for _, tt := range tests {
		ts, err := Tables(tt.v, tt.r)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tb := range ts {
			names = append(names, tb.Name)
		}
		if got := strings.Join(names, " "); got != tt.want {
			t.Errorf("Tables(%v, %s)\n got %s\nwant %s", tt.v, tt.r, got, tt.want)
		}
	}
}

func TestChangeRecordVersions(t *testing.T) {
	last := func(v Version) data.Column {
		tb, err := TableOf(v, RoleManagementHistory, "ChangeRecord")
		if err != nil {
			t.Fatal(err)
		}
		return tb.Columns[len(tb.Columns)-1]
	}
	if c := last(v81); col(c) != "CorrelationId uniqueidentifier NULL" {
		t.Errorf("8.1 ChangeRecord ends with %s, want CorrelationId", col(c))
	}
	if c := last(v80); c.Name != "OriginRecordId" {
		t.Errorf("8.0 ChangeRecord ends with %s, want OriginRecordId (no CorrelationId)", c.Name)
	}
	for _, v := range []Version{v80, v81, v82} {
		tb, _ := TableOf(v, RoleManagementHistory, "changerecord")
		c := tb.Columns[tb.MustIndex("RecordId")]
		if c.Type != data.TBigInt || !c.Identity || c.Nullable {
			t.Errorf("%v ChangeRecord.RecordId = %+v, want bigint identity NOT NULL", v, c)
		}
	}
	g3, _ := TableOf(v82, RoleManagementHistory, "ChangeRecord")
	if i := g3.Index("CorrelationId"); i != 11 {
		t.Errorf("G3 CorrelationId at %d, want 11 (declared after ServiceHost)", i)
	}
}

func TestColumnDetails(t *testing.T) {
	tests := []struct {
		v           Version
		r           Role
		table, name string
		want        data.Column
	}{
		{v82, RoleConfiguration, "ManagedDomain", "PasswordState",
			data.Column{Name: "PasswordState", Type: data.TVarChar, TypeName: "varchar(16)", MaxLen: 16}},
		{v82, RoleConfiguration, "ManagedDomain", "CreatedUtc",
			data.Column{Name: "CreatedUtc", Type: data.TDateTime2, TypeName: "datetime2(3)", Scale: 3}},
		{v82, RoleConfiguration, "ImportRun", "Report",
			data.Column{Name: "Report", Type: data.TNVarChar, TypeName: "nvarchar(max)", MaxLen: data.MaxLenMax, Nullable: true}},
		{v82, RoleConfiguration, "ImportRun", "ImportRunId",
			data.Column{Name: "ImportRunId", Type: data.TInt, TypeName: "int", Identity: true}},
		{v82, RoleConfiguration, "AzureTenant", "ClientSecret",
			data.Column{Name: "ClientSecret", Type: data.TVarBinary, TypeName: "varbinary(1024)", MaxLen: 1024, Nullable: true}},
		{v82, RoleConfiguration, "Workflow", "IsEnabled",
			data.Column{Name: "IsEnabled", Type: data.TBit, TypeName: "bit"}},
		{v82, RoleConfiguration, "ManagedUnit", "MembershipRules",
			data.Column{Name: "MembershipRules", Type: data.TXml, TypeName: "xml", Nullable: true}},
		{v76, RoleManagementHistory, "ChangeHistory", "ChangeTime",
			data.Column{Name: "ChangeTime", Type: data.TDateTime, TypeName: "datetime"}},
		{v76, RoleManagementHistory, "ChangeHistory", "InitiatorSid",
			data.Column{Name: "InitiatorSid", Type: data.TVarBinary, TypeName: "varbinary(68)", MaxLen: 68, Nullable: true}},
		{v82, RoleManagementHistory, "ApprovalTask", "OriginTaskId",
			data.Column{Name: "OriginTaskId", Type: data.TBigInt, TypeName: "bigint", Nullable: true}},
	}
	for _, tt := range tests {
		tb, err := TableOf(tt.v, tt.r, tt.table)
		if err != nil {
			t.Fatal(err)
		}
		if got := tb.Columns[tb.MustIndex(tt.name)]; got != tt.want {
			t.Errorf("%s.%s = %+v, want %+v", tt.table, tt.name, got, tt.want)
		}
	}
}

func TestNoIdentityWhereNotDeclared(t *testing.T) {
	tb, err := TableOf(v82, RoleConfiguration, "PolicyLink")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range tb.Columns {
		if c.Identity {
			t.Errorf("G3 PolicyLink.%s is identity", c.Name)
		}
	}
}

func TestTablesAreCopies(t *testing.T) {
	a, _ := Tables(v82, RoleConfiguration)
	a[0].Columns[0].Name = "Changed"
	a[0].PrimaryKey[0] = "Changed"
	b, _ := Tables(v82, RoleConfiguration)
	if b[0].Columns[0].Name != "Name" || b[0].PrimaryKey[0] != "Name" {
		t.Error("modifying a returned table changed the cached schema")
	}
}

func TestTableOfUnknown(t *testing.T) {
	if _, err := TableOf(v82, RoleConfiguration, "ChangeRecord"); err == nil {
		t.Error("TableOf found ChangeRecord in a configuration database")
	}
}

func TestParseSchemaConstructs(t *testing.T) {
	ts, err := parseSchema(`
CREATE TABLE [dbo].[T] ( -- comment with ; and 'quote
  A int NOT NULL IDENTITY(1,1), B varbinary(MAX) NULL, -- tail
  C nvarchar(20) NOT NULL DEFAULT ('x;y') CHECK (C <> 'a,b' AND C IS NOT NULL),
  D int NULL CONSTRAINT FK_T_U REFERENCES dbo.U (Id) ON DELETE SET NULL,
  E datetime2 NOT NULL DEFAULT SYSUTCDATETIME(), F varchar(5) UNIQUE, H int DEFAULT -1 NOT NULL,
  CONSTRAINT PK_T PRIMARY KEY CLUSTERED (A ASC, C DESC), CHECK (A > 0), UNIQUE (F));
CREATE UNIQUE INDEX UX ON dbo.T (F) WHERE F IS NOT NULL;
ALTER TABLE dbo.T ADD G bigint NULL;`)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 {
		t.Fatalf("%d tables", len(ts))
	}
	tb := ts[0]
	want := "A int IDENTITY, B varbinary(max) NULL, C nvarchar(20), D int NULL, E datetime2, F varchar(5) NULL, H int, G bigint NULL"
	if got := cols(&tb); got != want {
		t.Errorf("columns\n got %s\nwant %s", got, want)
	}
	if got := strings.Join(tb.PrimaryKey, ","); got != "A,C" {
		t.Errorf("primary key = %s", got)
	}
	if e := tb.Columns[tb.MustIndex("E")]; e.Scale != 7 {
		t.Errorf("datetime2 without precision has scale %d, want 7", e.Scale)
	}
}

func TestParseSchemaErrors(t *testing.T) {
	for _, src := range []string{
		`CREATE TABLE dbo.T (B decimal(10,2) NULL);`,                 // not a model type: refuse, do not guess
		`CREATE TABLE dbo.T (A int NOT NULL;`,                        // unbalanced
		`CREATE TABLE dbo.T (A int, A int);`,                         // duplicate column
		`ALTER TABLE dbo.Missing ADD A int NULL;`,                    // unknown table
		`CREATE VIEW dbo.V AS SELECT 1;`,                             // unsupported statement
		`CREATE TABLE dbo.T (A int, CONSTRAINT PK PRIMARY KEY (Z));`, // key column not defined
		`CREATE TABLE dbo.T (A nvarchar('x'));`,
	} {
		if _, err := parseSchema(src); err == nil {
			t.Errorf("parseSchema(%q) succeeded", src)
		}
	}
}
