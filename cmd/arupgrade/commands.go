package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/activeroles/arupgrade/core/dbopen"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/ops"
	"github.com/activeroles/arupgrade/core/upgrade"
)

func commands() []*cli.Command {
	return []*cli.Command{
		{
			Name:      "inspect",
			Usage:     "report an Active Roles database's version, generation, role, installation id and row counts",
			UsageText: "arupgrade inspect --source sample.arbundle [--output json]",
			Flags:     endpointFlags("source", false),
			Action: func(c *cli.Context) error {
				src, err := endpointFrom(c, "source", true)
				if err != nil {
					return err
				}
				return runOp(c, "inspect", map[string]any{"source": src})
			},
		},
		{
			Name:      "export",
			Usage:     "copy a SQL Server Active Roles database into a bundle file (consistent snapshot; encrypted values stay encrypted)",
			UsageText: "arupgrade export --source \"Server=sql01.corp.example.com;Database=ARConfig76\" --out ar76.arbundle",
			Flags: append(endpointFlags("source", false),
				&cli.StringFlag{Name: "out", Usage: "the bundle `FILE` to write", Required: true},
				&cli.BoolFlag{Name: "overwrite", Usage: "replace the bundle file if it exists"}),
			Action: func(c *cli.Context) error {
				src, err := endpointFrom(c, "source", true)
				if err != nil {
					return err
				}
				return runOp(c, "export", map[string]any{"source": src, "out": c.String("out"), "overwrite": c.Bool("overwrite")})
			},
		},
		{
			Name:      "fixture",
			Usage:     "generate a deterministic sample Active Roles database as a bundle, with its key backup and password file",
			UsageText: "arupgrade fixture --version 7.6 --out sample.arbundle [--role combined] [--history-records N] [--config-objects N] [--seed S]",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "version", Usage: "Active Roles version: 7.5, 7.6, 8.0, 8.1 or 8.2", Required: true},
				&cli.StringFlag{Name: "role", Usage: "configuration, history, combined or collector (combined only for 7.x; default: combined for 7.x, configuration for 8.x)"},
				&cli.StringFlag{Name: "out", Usage: "the bundle `FILE` to write", Required: true},
				&cli.IntFlag{Name: "history-records", Value: 500, Usage: "number of change history records"},
				&cli.IntFlag{Name: "config-objects", Value: 200, Usage: "approximate number of configuration objects"},
				&cli.Int64Flag{Name: "seed", Value: 1, Usage: "random seed (same seed, same content)"},
				&cli.StringFlag{Name: "key-password-file", Usage: "use the password in `FILE` for the key backup (default: generated from the seed and written beside the bundle)"},
				&cli.BoolFlag{Name: "anomalies", Usage: "add one row for each case the imports report (invalid SID, unknown class, bad details, …)"},
				&cli.BoolFlag{Name: "add-ons", Usage: "include installed add-ons (an import then refuses with AR-E011)"},
				&cli.BoolFlag{Name: "replication-partners", Usage: "include replication partners (an import then refuses with AR-E010)"},
			},
			Action: func(c *cli.Context) error {
				p := map[string]any{
					"version": c.String("version"), "role": c.String("role"), "out": c.String("out"),
					"historyRecords": c.Int("history-records"), "configObjects": c.Int("config-objects"), "seed": c.Int64("seed"),
					"anomalies": c.Bool("anomalies"), "addOns": c.Bool("add-ons"), "replicationPartners": c.Bool("replication-partners"),
				}
				if c.String("key-password-file") != "" {
					pw, err := readSecret(c, "key-password-file", "ARUPGRADE_KEY_PASSWORD", "")
					if err != nil {
						return err
					}
					p["keyPassword"] = pw
				}
				return runOp(c, "fixture", p)
			},
		},
		{
			Name:  "import-configuration",
			Usage: "upgrade an Active Roles configuration database (7.5–8.2, SQL Server or bundle) into an 8.2 configuration database, all-or-nothing",
			UsageText: "arupgrade import-configuration --source ar76.arbundle --destination ar82.arbundle --create-destination " +
				"--key-backup ar76.key --key-password-file ar76.keypass.txt --services-server ars82.corp.example.com",
			Flags: concat(endpointFlags("source", false), endpointFlags("destination", true), configFlags()),
			Action: func(c *cli.Context) error {
				p, err := configParams(c)
				if err != nil {
					return err
				}
				return runOp(c, "import-configuration", p)
			},
		},
		{
			Name: "upgrade",
			Usage: "the whole database upgrade in one resumable run: plan (every check), import configuration, services association, " +
				"import history, copy principals, create Web Interface sites and, with --collector-source, import the Collector's events last; " +
				"the same command continues after a failure or a kill",
			UsageText: "arupgrade upgrade --source ar76.arbundle --destination out/ --key-backup ar76.key --key-password-file ar76.keypass.txt " +
				"--services-server ars82.corp.example.com [--collector-source collector76.arbundle] [--what-if] [--plan-path plan.json]",
			Flags: concat(endpointFlags("source", false), endpointFlags("destination", false), endpointFlags("collector-source", false), []cli.Flag{
				&cli.StringFlag{Name: "collector-database", Usage: "name of the new Collector database (default " + model.DefaultCollectorDatabase + ", or ActiveRoles820_N_Collector); with --collector-source"},
				&cli.StringFlag{Name: "source-history", Usage: "the Management History database of a split source (same authentication as --source); leave out for a 7.x Combined database"},
				&cli.StringFlag{Name: "configuration-database", Usage: "name of the new configuration database (default ActiveRoles820, or the first free ActiveRoles820_N)"},
				&cli.StringFlag{Name: "history-database", Usage: "name of the new Management History database (default ActiveRoles820_MH, or ActiveRoles820_N_MH)"},
				&cli.StringFlag{Name: "plan-path", Usage: "the plan `FILE` to write (--what-if) or run; its state file goes beside it (default: " + upgrade.DefaultPlanFile + " in the destination folder, or here for SQL Server)"},
				&cli.StringSliceFlag{Name: "website", Usage: "make an 8.2 Web Interface site from an earlier one: `OLDSITE=ALIAS` (repeatable)"},
				&cli.BoolFlag{Name: "all-websites", Usage: "make an 8.2 site from every earlier-version site, with its earlier application alias"},
				&cli.StringFlag{Name: "iis-site", Value: "Default Web Site", Usage: "IIS website of the new sites (--website)"},
			}, configFlags()[:5], historyFlags()[:3], []cli.Flag{&cli.BoolFlag{Name: "what-if", Usage: "check everything and write the plan, change nothing"}}),
			Action: func(c *cli.Context) error {
				p, err := upgradeParams(c)
				if err != nil {
					return err
				}
				return runOp(c, "upgrade", p)
			},
		},
		{
			Name:      "import-history",
			Usage:     "import Management History (change history, approval tasks, temporal memberships) into an 8.2 history database, exactly once and resumable",
			UsageText: "arupgrade import-history --source ar76.arbundle --destination ar82-history.arbundle --create-destination [--from 2024-01-01 --to 2024-06-30] [--batch-size 1000]",
			Flags:     concat(endpointFlags("source", false), endpointFlags("destination", true), historyFlags()),
			Action: func(c *cli.Context) error {
				p, err := historyParams(c)
				if err != nil {
					return err
				}
				return runOp(c, "import-history", p)
			},
		},
		{
			Name: "import-collector",
			Usage: "import the events of an earlier Collector database (7.5–8.2, the Report Pack's) into an 8.2 Collector database, exactly once and resumable " +
				"(a new SQL Server database without a name is " + model.DefaultCollectorDatabase + ")",
			UsageText: "arupgrade import-collector --source collector76.arbundle --destination collector82.arbundle --create-destination [--from 2024-01-01 --to 2024-06-30] [--batch-size 1000] [--what-if]",
			Flags:     concat(endpointFlags("source", false), endpointFlags("destination", true), collectorFlags()),
			Action: func(c *cli.Context) error {
				p, err := historyParams(c)
				if err != nil {
					return err
				}
				delete(p, "skipPrincipals")
				return runOp(c, "import-collector", p)
			},
		},
		{
			Name:      "test-prerequisites",
			Usage:     "run the preflight checks of an import without writing anything (one line per check)",
			UsageText: "arupgrade test-prerequisites --kind configuration --source ar76.arbundle --destination ar82.arbundle --create-destination",
			Flags: concat(endpointFlags("source", false), endpointFlags("destination", true), configFlags(), []cli.Flag{
				&cli.StringFlag{Name: "kind", Value: "configuration", Usage: "configuration, history or collector"},
				&cli.StringFlag{Name: "from", Usage: "history, collector: first day (yyyy-mm-dd, UTC)"},
				&cli.StringFlag{Name: "to", Usage: "history, collector: last day (yyyy-mm-dd, UTC)"}}),
			Action: func(c *cli.Context) error {
				p, err := configParams(c)
				if err != nil {
					return err
				}
				p["kind"] = c.String("kind")
				p["from"], p["to"] = c.String("from"), c.String("to")
				return runOp(c, "test-prerequisites", p)
			},
		},
		{
			Name:      "set-services-association",
			Usage:     "point dynamic groups, group families and scheduled tasks of an 8.2 configuration database at an Administration Service (the guide's \"Update Services To Execute On\")",
			UsageText: "arupgrade set-services-association --destination ar82.arbundle --services-server ars82.corp.example.com",
			Flags: append(endpointFlags("destination", false),
				&cli.StringFlag{Name: "services-server", Usage: "FQDN of the Administration Service (default: this computer's FQDN)"},
				&cli.BoolFlag{Name: "what-if", Usage: "show what would change without writing"}),
			Action: func(c *cli.Context) error {
				dst, err := endpointFrom(c, "destination", true)
				if err != nil {
					return err
				}
				return runOp(c, "set-services-association", map[string]any{"destination": dst, "servicesServer": c.String("services-server"), "whatIf": c.Bool("what-if")})
			},
		},
		{
			Name: "copy-principals",
			Usage: "copy database users, permissions, logins and roles from the source to the destination database " +
				"(the imports do it after every import unless --skip-principals)",
			UsageText: "arupgrade copy-principals --source \"Server=sql01;Database=ARConfig76\" --destination \"Server=sql02;Database=ARConfig82\" [--what-if | --script-path principals.sql] [--force]",
			Flags: append(append(endpointFlags("source", false), endpointFlags("destination", false)...),
				&cli.StringFlag{Name: "script-path", Usage: "write the T-SQL to `FILE` (re-runnable, may hold password hashes) instead of running it; --destination is then optional"},
				&cli.BoolFlag{Name: "force", Usage: "resolve conflicts: drop and recreate logins of another SID (never the caller's), re-map users mapped to other logins"},
				&cli.BoolFlag{Name: "what-if", Usage: "show what would be copied without writing"}),
			Action: func(c *cli.Context) error {
				src, err := endpointFrom(c, "source", true)
				if err != nil {
					return err
				}
				dst, err := endpointFrom(c, "destination", c.String("script-path") == "")
				if err != nil {
					return err
				}
				params := map[string]any{"source": src, "scriptPath": c.String("script-path"), "force": c.Bool("force"), "whatIf": c.Bool("what-if")}
				if dst != nil {
					params["destination"] = dst
				}
				return runOp(c, "copy-principals", params)
			},
		},
		{
			Name:  "new-website",
			Usage: "create an 8.2 Web Interface site configuration from an existing (e.g. imported 7.6) one, with an Active binding to an IIS website and alias (the guide's \"Creating sites based on old configuration objects\")",
			UsageText: "arupgrade new-website --destination ar82.arbundle --source-site 'Site for Administrators (7.6)' --template Administrators --alias ARWebAdmin76 [--iis-site 'Default Web Site'] [--name NAME] [--what-if]\n\n" +
				"List the earlier sites' configuration objects with list-websites. The alias must be one IIS path segment: none of / \\ ? # % * : < > | \", " +
				"not . or .., no leading or trailing space, at most 255 characters (exit 2 otherwise); aliases compare without regard to case and " +
				"surrounding slashes. A name or website/alias already in use is AR-E018 (exit 3). Nothing is written on a refusal. " +
				"The IIS application itself is created on the web server (IIS Manager, or New-ARWebSite -CreateWebApplication on Windows).",
			Flags: append(endpointFlags("destination", false),
				&cli.StringFlag{Name: "source-site", Usage: "name or GUID of the existing site configuration", Required: true},
				&cli.StringFlag{Name: "template", Usage: "Administrators, HelpDesk or SelfAdministration", Required: true},
				&cli.StringFlag{Name: "iis-site", Value: "Default Web Site", Usage: "IIS website name"},
				&cli.StringFlag{Name: "alias", Usage: "application alias: one IIS path segment, such as ARWebAdmin76", Required: true},
				&cli.StringFlag{Name: "name", Usage: "name of the new configuration (default per the 8.2 naming rule)"},
				&cli.BoolFlag{Name: "what-if", Usage: "show what would be created without writing"}),
			Action: func(c *cli.Context) error {
				dst, err := endpointFrom(c, "destination", true)
				if err != nil {
					return err
				}
				return runOp(c, "new-website", map[string]any{"destination": dst, "sourceSite": c.String("source-site"),
					"template": c.String("template"), "iisSiteName": c.String("iis-site"), "applicationAlias": c.String("alias"),
					"name": c.String("name"), "whatIf": c.Bool("what-if")})
			},
		},
		{
			Name:  "list-websites",
			Usage: "list the Web Interface site configuration objects of an 8.2 configuration database: name, template, version, default or not, bindings (the guide's \"Identifying configuration objects\")",
			UsageText: "arupgrade list-websites --source ar82.arbundle [--name '*(7.6)'] [--name 'Site for HelpDesk (8.2)'] [--output json]\n\n" +
				"--name takes PowerShell wildcards (* ? [a-z], ` escapes), matched without regard to case against each site's name or GUID; " +
				"a name without wildcards that matches nothing is an error (exit 4).",
			Flags: append(endpointFlags("source", false),
				&cli.StringSliceFlag{Name: "name", Usage: "only sites whose name or GUID matches this wildcard `PATTERN` (repeatable)"}),
			Action: func(c *cli.Context) error {
				src, err := endpointFrom(c, "source", true)
				if err != nil {
					return err
				}
				names := c.StringSlice("name")
				if names == nil {
					names = []string{}
				}
				return runOp(c, "list-websites", map[string]any{"source": src, "names": names})
			},
		},
		{
			Name:  "remove-website",
			Usage: "remove a Web Interface site's Active binding and, with --include-configuration, its configuration object (the guide's \"Deleting default Web Interface sites\"), in one transaction",
			UsageText: "arupgrade remove-website --destination ar82.arbundle --site 'Site for HelpDesk (8.2)' [--include-configuration] [--force] [--what-if]\n\n" +
				"Only the three default 8.2 sites (Site for Administrators (8.2), Site for HelpDesk (8.2), Site for Self-Administration (8.2)) " +
				"are removed without --force. A configuration object that another site was made from, or that an Active binding left in place " +
				"still serves, is not removed (AR-E020, exit 3). The IIS application itself is removed on the web server (IIS Manager, or " +
				"Remove-ARWebSite -RemoveWebApplication on Windows).",
			Flags: append(endpointFlags("destination", false),
				&cli.StringFlag{Name: "site", Usage: "name or GUID of the site configuration object", Required: true},
				&cli.StringFlag{Name: "iis-site", Usage: "remove only the binding on this IIS website (default: every Active binding of the site)"},
				&cli.StringFlag{Name: "alias", Usage: "remove only the binding with this application alias"},
				&cli.BoolFlag{Name: "include-configuration", Usage: "also remove the configuration object: its revisions and every binding, Legacy ones included"},
				&cli.BoolFlag{Name: "force", Usage: "allow removing a site other than the three default 8.2 sites"},
				&cli.BoolFlag{Name: "what-if", Usage: "show what would be removed without writing"}),
			Action: func(c *cli.Context) error {
				dst, err := endpointFrom(c, "destination", true)
				if err != nil {
					return err
				}
				return runOp(c, "remove-website", map[string]any{"destination": dst, "site": c.String("site"),
					"iisSiteName": c.String("iis-site"), "applicationAlias": c.String("alias"),
					"includeConfiguration": c.Bool("include-configuration"), "force": c.Bool("force"), "whatIf": c.Bool("what-if")})
			},
		},
		{
			Name:      "export-website",
			Usage:     "write one Web Interface site configuration object (its row, every revision, its bindings) to a JSON file: a backup before changes, or to move it to another database",
			UsageText: "arupgrade export-website --source ar82.arbundle --site 'Site for Administrators (7.6)' --out admin76.json [--overwrite]",
			Flags: append(endpointFlags("source", false),
				&cli.StringFlag{Name: "site", Usage: "name or GUID of the site configuration object", Required: true},
				&cli.StringFlag{Name: "out", Usage: "the JSON `FILE` to write", Required: true},
				&cli.BoolFlag{Name: "overwrite", Usage: "replace the file if it exists"}),
			Action: func(c *cli.Context) error {
				src, err := endpointFrom(c, "source", true)
				if err != nil {
					return err
				}
				return runOp(c, "export-website", map[string]any{"source": src, "site": c.String("site"), "out": c.String("out"), "overwrite": c.Bool("overwrite")})
			},
		},
		{
			Name:  "import-website",
			Usage: "write a site configuration file (from export-website) into an 8.2 configuration database, in one transaction",
			UsageText: "arupgrade import-website --destination ar82.arbundle --path admin76.json [--name NAME] [--legacy-bindings] [--what-if]\n\n" +
				"The GUID is kept unless the database has it (then a new one); the name is kept unless taken (then the first free \"<name> (n)\"). " +
				"An Active binding whose website and alias already serve a site is refused (AR-E018, exit 3) unless --legacy-bindings.",
			Flags: append(endpointFlags("destination", false),
				&cli.StringFlag{Name: "path", Usage: "the site configuration `FILE` to read", Required: true},
				&cli.StringFlag{Name: "name", Usage: "name of the imported configuration (default: the file's, made unique)"},
				&cli.BoolFlag{Name: "legacy-bindings", Usage: "record every binding as Legacy, so that the configuration claims no IIS application"},
				&cli.BoolFlag{Name: "what-if", Usage: "show what would be imported without writing"}),
			Action: func(c *cli.Context) error {
				dst, err := endpointFrom(c, "destination", true)
				if err != nil {
					return err
				}
				return runOp(c, "import-website", map[string]any{"destination": dst, "path": c.String("path"), "name": c.String("name"),
					"legacyBindings": c.Bool("legacy-bindings"), "whatIf": c.Bool("what-if")})
			},
		},
		{
			Name:   "version",
			Usage:  "print the engine's version",
			Action: func(c *cli.Context) error { return runOp(c, "version", map[string]any{}) },
		},
		benchCommand(),
		engineCommand(),
	}
}

func configFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "key-backup", Usage: "the key backup `FILE` of the source's encryption key"},
		&cli.StringFlag{Name: "key-password-file", Usage: "read the key backup password from `FILE` (else $ARUPGRADE_KEY_PASSWORD, else a prompt)"},
		&cli.BoolFlag{Name: "skip-encrypted-data", Usage: "copy no encrypted value; the result lists every secret to re-enter"},
		&cli.StringFlag{Name: "services-server", Usage: "FQDN of the Administration Service that runs dynamic groups, group families and scheduled tasks (default: this computer's FQDN)"},
		&cli.BoolFlag{Name: "skip-principals", Usage: "do not copy database users, logins and roles"},
		&cli.BoolFlag{Name: "replace", Usage: "first remove the destination's configuration objects (the wizard's behaviour), in the same transaction"},
		&cli.BoolFlag{Name: "what-if", Usage: "show the plan without writing anything"},
	}
}

func historyFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "from", Usage: "import records from this day on (yyyy-mm-dd, UTC); with --to"},
		&cli.StringFlag{Name: "to", Usage: "import records up to and including this day (yyyy-mm-dd, UTC); with --from"},
		&cli.IntFlag{Name: "batch-size", Value: 1000, Usage: "source records per committed batch (memory grows with it; above 10000 the run warns, AR-W008)"},
		&cli.BoolFlag{Name: "skip-principals", Usage: "do not copy database users, logins and roles"},
		&cli.BoolFlag{Name: "what-if", Usage: "count what would be imported without writing anything"},
	}
}

// collectorFlags are historyFlags without --skip-principals: the Collector
// import copies no database principals.
func collectorFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "from", Usage: "import events from this day on (yyyy-mm-dd, UTC); with --to"},
		&cli.StringFlag{Name: "to", Usage: "import events up to and including this day (yyyy-mm-dd, UTC); with --from"},
		&cli.IntFlag{Name: "batch-size", Value: 1000, Usage: "events per committed batch (memory grows with it; above 10000 the run warns, AR-W008)"},
		&cli.BoolFlag{Name: "what-if", Usage: "count what would be imported without writing anything"},
	}
}

func configParams(c *cli.Context) (map[string]any, error) {
	src, err := endpointFrom(c, "source", true)
	if err != nil {
		return nil, err
	}
	dst, err := endpointFrom(c, "destination", true)
	if err != nil {
		return nil, err
	}
	p := map[string]any{"source": src, "destination": dst,
		"skipEncryptedData": c.Bool("skip-encrypted-data"), "servicesServer": c.String("services-server"),
		"skipPrincipals": c.Bool("skip-principals"), "replace": c.Bool("replace"), "whatIf": c.Bool("what-if")}
	if kb := c.String("key-backup"); kb != "" {
		// With --skip-encrypted-data too, the engine imports no encrypted
		// value (model §9.3), as the module's -SkipEncryptedData does.
		// The engine reads it again; this check only fails before the password prompt, with the same error.
		if _, err := ops.ReadKeyBackupFile(kb); err != nil {
			return nil, err
		}
		pw, err := readSecret(c, "key-password-file", "ARUPGRADE_KEY_PASSWORD", "Key backup password: ")
		if err != nil {
			return nil, err
		}
		p["keyBackupPath"], p["keyBackupPassword"] = kb, pw
	}
	return p, nil
}

func historyParams(c *cli.Context) (map[string]any, error) {
	src, err := endpointFrom(c, "source", true)
	if err != nil {
		return nil, err
	}
	dst, err := endpointFrom(c, "destination", true)
	if err != nil {
		return nil, err
	}
	// The dates and their order are the engine's to check, so that the CLI
	// and the module give the same answer (AR-PARAMS, AR-E013). A batch size
	// of 0 would reach the engine as "the default": refused here, as the
	// cmdlets' ValidateRange does.
	if n := c.Int("batch-size"); n < 1 || n > 100000 {
		return nil, usageErr("--batch-size %d is out of range: use 1 to 100000.", n)
	}
	return map[string]any{"source": src, "destination": dst, "from": c.String("from"), "to": c.String("to"),
		"batchSize": c.Int("batch-size"), "skipPrincipals": c.Bool("skip-principals"), "whatIf": c.Bool("what-if")}, nil
}

func concat(lists ...[]cli.Flag) []cli.Flag {
	var out []cli.Flag
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// upgradeParams reads the upgrade's flags. --destination is a SQL Server
// connection string or a folder for bundles. With only --plan-path the
// plan runs as it was written.
func upgradeParams(c *cli.Context) (map[string]any, error) {
	p := map[string]any{"planPath": c.String("plan-path"), "whatIf": c.Bool("what-if"),
		"configurationDatabase": c.String("configuration-database"), "historyDatabase": c.String("history-database"),
		"skipEncryptedData": c.Bool("skip-encrypted-data"), "servicesServer": c.String("services-server"),
		"skipPrincipals": c.Bool("skip-principals"), "from": c.String("from"), "to": c.String("to"), "batchSize": c.Int("batch-size"),
		"allWebSites": c.Bool("all-websites"), "iisSiteName": c.String("iis-site")}
	if c.String("source") == "" && c.String("plan-path") == "" {
		return nil, usageErr("--source and --destination are required (or --plan-path to run a plan written with --what-if).")
	}
	if c.String("source") != "" {
		src, err := endpointFrom(c, "source", true)
		if err != nil {
			return nil, err
		}
		p["source"] = src
		if c.String("collector-source") != "" {
			cs, err := endpointFrom(c, "collector-source", true)
			if err != nil {
				return nil, err
			}
			p["collectorSource"] = cs
		}
		if n := c.String("collector-database"); n != "" {
			p["collectorDatabase"] = n // without --collector-source the engine names what is missing
		}
		if h := c.String("source-history"); h != "" {
			ep, err := dbopen.ParseLocation(h)
			if err != nil {
				return nil, err
			}
			if ep.ConnectionString != "" && dbopen.HasSecret(ep.ConnectionString) {
				return nil, usageErr("The --source-history connection string contains a password; remove it (the --source password is used).")
			}
			ep.Auth, ep.User, ep.Password, ep.DatabaseType = src.Auth, src.User, src.Password, src.DatabaseType
			ep.TrustServerCertificate, ep.HostNameInCertificate = src.TrustServerCertificate, src.HostNameInCertificate
			p["sourceHistory"] = ep
		}
		d := c.String("destination")
		switch {
		case d == "":
			return nil, usageErr("--destination is required: a SQL Server connection string, or a folder for the new bundles.")
		case strings.HasPrefix(strings.ToLower(d), "sqlserver://") || strings.Contains(strings.ToLower(d), "server="):
			dst, err := endpointFrom(c, "destination", true)
			if err != nil {
				return nil, err
			}
			dst.Create = false
			p["destination"] = dst
		case strings.HasSuffix(strings.ToLower(d), dbopen.BundleExt):
			return nil, usageErr("--destination %q names a bundle: give the folder for the two new bundles.", d)
		default:
			p["destination"] = map[string]any{"path": d}
		}
	}
	sites := map[string]string{}
	for _, w := range c.StringSlice("website") {
		old, alias, ok := strings.Cut(w, "=")
		if !ok || strings.TrimSpace(old) == "" || strings.TrimSpace(alias) == "" {
			return nil, usageErr("--website %q: write OLDSITE=ALIAS, e.g. --website 'Site for Administrators (7.6)=ARWebAdmin'.", w)
		}
		sites[strings.TrimSpace(old)] = strings.TrimSpace(alias)
	}
	p["webSites"] = sites
	if kb := c.String("key-backup"); kb != "" {
		if c.Bool("skip-encrypted-data") {
			return nil, usageErr("--key-backup and --skip-encrypted-data exclude each other: give the key backup to copy secrets, or skip them.")
		}
		if _, err := ops.ReadKeyBackupFile(kb); err != nil {
			return nil, err
		}
		pw, err := readSecret(c, "key-password-file", "ARUPGRADE_KEY_PASSWORD", "Key backup password: ")
		if err != nil {
			return nil, err
		}
		p["keyBackupPath"], p["keyBackupPassword"] = kb, pw
	} else if c.String("plan-path") != "" && c.String("key-password-file") != "" {
		pw, err := readSecret(c, "key-password-file", "ARUPGRADE_KEY_PASSWORD", "")
		if err != nil {
			return nil, err
		}
		p["keyBackupPassword"] = pw
	}
	return p, nil
}
