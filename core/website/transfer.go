package website

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

// FileFormat and FileFormatVersion identify a site configuration file.
const (
	FileFormat        = "ActiveRolesUpgrade.WebSiteConfiguration"
	FileFormatVersion = 1
	// MaxFileSize bounds what Import reads: documents are small, and a file
	// is never read whole into memory unchecked.
	MaxFileSize = 64 << 20
)

// File is one site configuration object as exported: the WebInterfaceSite
// row, every revision of its document and its bindings. Documents are kept
// as the exact text stored, so export → import → export is byte-identical
// apart from a GUID and name changed on import.
type File struct {
	Format        string         `json:"format"`
	FormatVersion int            `json:"formatVersion"`
	Site          FileSite       `json:"site"`
	Revisions     []FileRevision `json:"revisions"`
	Bindings      []BindingInfo  `json:"bindings"`
}

// FileSite is the WebInterfaceSite row.
type FileSite struct {
	SiteGUID        string  `json:"siteGuid"`
	Name            string  `json:"name"`
	Template        string  `json:"template"`
	ProductVersion  string  `json:"productVersion"`
	CurrentRevision int64   `json:"currentRevision"`
	SourceSiteGUID  *string `json:"sourceSiteGuid"`
	CreatedUTC      string  `json:"createdUtc"`
	ModifiedUTC     string  `json:"modifiedUtc"`
}

// FileRevision is one WebInterfaceSiteDocument row.
type FileRevision struct {
	Revision      int64  `json:"revision"`
	SchemaVersion int64  `json:"schemaVersion"`
	SavedUTC      string `json:"savedUtc"`
	Document      string `json:"document"`
}

// ExportRequest names the site and the file.
type ExportRequest struct {
	Site      string // name (case-insensitive) or GUID
	Path      string
	Overwrite bool
}

// ExportResult is ActiveRolesUpgrade.WebSiteExport.
type ExportResult struct {
	Name      string `json:"name"`
	SiteGUID  string `json:"siteGuid"`
	Path      string `json:"path"`
	Revisions int    `json:"revisions"`
	Bindings  int    `json:"bindings"`
	Bytes     int64  `json:"bytes"`
}

// Export writes one site configuration object to a JSON file (written
// beside it and renamed into place: the file is whole or absent). It only
// reads the database.
func Export(ctx context.Context, db store.Source, req ExportRequest) (*ExportResult, error) {
	if strings.TrimSpace(req.Site) == "" || strings.TrimSpace(req.Path) == "" {
		return nil, arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Name the site configuration and the file to write.", "Exporting a site needs a site and a file.")
	}
	if _, err := os.Stat(req.Path); err == nil && !req.Overwrite {
		return nil, arerr.Errorf("AR-EXISTS", arerr.CatResourceExists, "Choose another file name, or allow overwriting ("+arerr.Param("overwrite")+").", "The file %s already exists.", req.Path)
	}
	cat, err := readCatalog(ctx, db, "Exporting a Web Interface site")
	if err != nil {
		return nil, err
	}
	s, ok := cat.find(req.Site)
	if !ok {
		return nil, notFound(req.Site)
	}
	revs, err := documents(ctx, db, cat.info, s.guid)
	if err != nil {
		return nil, err
	}
	f := File{Format: FileFormat, FormatVersion: FileFormatVersion, Revisions: []FileRevision{}, Bindings: []BindingInfo{},
		Site: FileSite{SiteGUID: s.guid.String(), Name: s.name, Template: s.template, ProductVersion: s.productVersion,
			CurrentRevision: s.current, CreatedUTC: utcText(s.created), ModifiedUTC: utcText(s.modified)}}
	if !s.source.IsZero() {
		g := s.source.String()
		f.Site.SourceSiteGUID = &g
	}
	for _, r := range revs {
		f.Revisions = append(f.Revisions, FileRevision{Revision: r.Revision, SchemaVersion: r.SchemaVersion, SavedUTC: utcText(r.saved), Document: r.Document})
	}
	for _, b := range s.bindings {
		f.Bindings = append(f.Bindings, BindingInfo{IISSiteName: b.iis, ApplicationAlias: b.alias, State: b.state})
	}
	body, err := f.encode()
	if err != nil {
		return nil, err
	}
	if err := writeFile(req.Path, body); err != nil {
		return nil, arerr.Wrap(err, "AR-WRITE", arerr.CatWriteError, "Check the folder and your permissions; no file was written.", "Cannot write %s", req.Path)
	}
	return &ExportResult{Name: s.name, SiteGUID: s.guid.String(), Path: req.Path, Revisions: len(f.Revisions), Bindings: len(f.Bindings), Bytes: int64(len(body))}, nil
}

// encode writes the file as indented JSON, members in a fixed order, text
// as is (no HTML escaping), ending with a newline.
func (f *File) encode() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("encode site configuration: %w", err)
	}
	return b.Bytes(), nil
}

// writeFile writes body to a temporary file beside path and renames it into
// place.
func writeFile(path string, body []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(body); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	ok = true
	return nil
}

// ImportRequest names the file and how to import it.
type ImportRequest struct {
	Path string
	// Name, when given, is the new configuration's name (AR-E018 if taken);
	// by default the file's name, or if taken the first free "<name> (n)".
	Name string
	// LegacyBindings records every binding as Legacy, so that the imported
	// configuration claims no IIS application.
	LegacyBindings bool
	WhatIf         bool
	Rand           io.Reader
}

// ImportResult is ActiveRolesUpgrade.WebSiteImport.
type ImportResult struct {
	Name             string        `json:"name"`
	SiteGUID         string        `json:"siteGuid"`
	OriginalName     string        `json:"originalName"`
	OriginalSiteGUID string        `json:"originalSiteGuid"`
	Renamed          bool          `json:"renamed"`
	NewGUID          bool          `json:"newGuid"`
	Revisions        int           `json:"revisions"`
	Bindings         []BindingInfo `json:"bindings"`
	Path             string        `json:"path"`
	WhatIf           bool          `json:"whatIf"`
	Imported         bool          `json:"imported"`
}

// Import writes a site configuration file into an 8.2 configuration
// database in one transaction: the site row, every revision and every
// binding. The GUID is kept unless taken (then a new one); the name is kept
// unless taken (then the first free "<name> (n)", as §10.3/§10.4 rename).
// An Active binding whose website and alias already serve a site is
// AR-E018, and nothing is written.
func Import(ctx context.Context, dst store.ConfigDestination, req ImportRequest) (*ImportResult, error) {
	if req.Rand == nil {
		req.Rand = rand.Reader
	}
	f, err := ReadFile(req.Path)
	if err != nil {
		return nil, err
	}
	cat, err := readCatalog(ctx, dst, "Importing a Web Interface site")
	if err != nil {
		return nil, err
	}
	g, _ := data.ParseUUID(f.Site.SiteGUID) // checked by ReadFile
	res := &ImportResult{Name: f.Site.Name, OriginalName: f.Site.Name, OriginalSiteGUID: g.String(), Path: req.Path,
		Revisions: len(f.Revisions), Bindings: []BindingInfo{}, WhatIf: req.WhatIf}
	if cat.byGUID(g) != nil {
		if g, err = newGUID(req.Rand); err != nil {
			return nil, err
		}
		res.NewGUID = true
	}
	res.SiteGUID = g.String()
	if n := strings.TrimSpace(req.Name); n != "" {
		if cat.names.Has(n) {
			return nil, arerr.Errorf(model.E018SiteConflict.ID, arerr.CatResourceExists, "Choose another name, or leave the name out to get a free one.",
				"A site configuration named %q already exists.", n)
		}
		if err := checkName(n); err != nil {
			return nil, err
		}
		res.Name, res.Renamed = n, n != f.Site.Name
	} else {
		res.Name, res.Renamed = model.UniqueSiteName(f.Site.Name, cat.names.Has)
		if err := checkName(res.Name); err != nil {
			return nil, err
		}
	}
	for _, b := range f.Bindings {
		if req.LegacyBindings {
			b.State = StateLegacy
		}
		if b.State == StateActive {
			if holder := cat.activeHolder(b.IISSiteName, b.ApplicationAlias); holder != nil {
				return nil, arerr.Errorf(model.E018SiteConflict.ID, arerr.CatResourceExists,
					"Remove that binding first ("+arerr.Command("remove-website")+"), or import the bindings as Legacy ("+arerr.Param("legacyBindings")+"). Nothing was written.",
					"The application %s/%s already serves the 8.2 site %q.", b.IISSiteName, b.ApplicationAlias, holder.name)
			}
		}
		res.Bindings = append(res.Bindings, b)
	}
	if req.WhatIf {
		return res, nil
	}

	st, dt, bt := cat.info.Table(tSite), cat.info.Table(tDocument), cat.info.Table(tBinding)
	source := data.NullValue()
	if f.Site.SourceSiteGUID != nil {
		sg, _ := data.ParseUUID(*f.Site.SourceSiteGUID)
		source = data.GUIDValue(sg)
	}
	created, _ := parseUTC(f.Site.CreatedUTC)
	modified, _ := parseUTC(f.Site.ModifiedUTC)
	siteRow, err := row(st, map[string]data.Value{"SiteGuid": data.GUIDValue(g), "Name": data.StringValue(res.Name),
		"Template": data.StringValue(f.Site.Template), "ProductVersion": data.StringValue(f.Site.ProductVersion),
		"CurrentRevision": data.IntValue(f.Site.CurrentRevision), "SourceSiteGuid": source, "CreatedUtc": created, "ModifiedUtc": modified})
	if err != nil {
		return nil, err
	}
	changes := []change{{table: tSite, insert: []data.Row{siteRow}}, {table: tDocument}, {table: tBinding}}
	for _, r := range f.Revisions {
		saved, _ := parseUTC(r.SavedUTC)
		dr, err := row(dt, map[string]data.Value{"SiteGuid": data.GUIDValue(g), "Revision": data.IntValue(r.Revision),
			"SchemaVersion": data.IntValue(r.SchemaVersion), "SavedUtc": saved, "Document": data.StringValue(r.Document)})
		if err != nil {
			return nil, err
		}
		changes[1].insert = append(changes[1].insert, dr)
	}
	for _, b := range res.Bindings {
		br, err := row(bt, map[string]data.Value{"SiteGuid": data.GUIDValue(g), "IisSiteName": data.StringValue(b.IISSiteName),
			"ApplicationAlias": data.StringValue(b.ApplicationAlias), "BindingState": data.StringValue(b.State)})
		if err != nil {
			return nil, err
		}
		changes[2].insert = append(changes[2].insert, br)
	}
	if err := apply(ctx, dst, "import the site "+res.Name, changes); err != nil {
		return nil, err
	}
	res.Imported = true
	return res, nil
}

// ReadFile reads and checks a site configuration file: everything the
// destination's schema would refuse is refused here, naming the file and
// the problem (AR-SITEFILE, exit 5), before anything is written.
func ReadFile(path string) (*File, error) {
	bad := func(format string, args ...any) error {
		return arerr.Errorf("AR-SITEFILE", arerr.CatInvalidData,
			"Use a file written by "+arerr.Command("export-website")+", unchanged; nothing was written.",
			"%s is not a usable site configuration file: %s.", path, fmt.Sprintf(format, args...))
	}
	fh, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, arerr.Errorf("AR-NOTFOUND", arerr.CatObjectNotFound, "Check the path.", "The file %s does not exist.", path)
	}
	if err != nil {
		return nil, arerr.Wrap(err, "AR-READ", arerr.CatReadError, "Check the path and your permissions.", "Cannot open %s", path)
	}
	defer fh.Close()
	body, err := io.ReadAll(io.LimitReader(fh, MaxFileSize+1))
	if err != nil {
		return nil, arerr.Wrap(err, "AR-READ", arerr.CatReadError, "Check the path and your permissions.", "Cannot read %s", path)
	}
	if len(body) > MaxFileSize {
		return nil, bad("it is larger than %d MiB", MaxFileSize>>20)
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, bad("%v", err)
	}
	if dec.More() {
		return nil, bad("it holds more than one JSON value")
	}
	if f.Format != FileFormat || f.FormatVersion != FileFormatVersion {
		return nil, bad("its format is %q version %d, not %q version %d", f.Format, f.FormatVersion, FileFormat, FileFormatVersion)
	}
	if err := f.check(); err != nil {
		return nil, bad("%v", err)
	}
	return &f, nil
}

// check applies the 8.2 schema's rules (§5.2) to the file's rows.
func (f *File) check() error {
	s := f.Site
	if _, err := data.ParseUUID(s.SiteGUID); err != nil {
		return fmt.Errorf("site.siteGuid %q is not a GUID", s.SiteGUID)
	}
	if s.SourceSiteGUID != nil {
		if _, err := data.ParseUUID(*s.SourceSiteGUID); err != nil {
			return fmt.Errorf("site.sourceSiteGuid %q is not a GUID", *s.SourceSiteGUID)
		}
	}
	if strings.TrimSpace(s.Name) == "" || data.UTF16Len(s.Name) > 512 {
		return errors.New("site.name must have 1 to 512 characters")
	}
	switch s.Template {
	case model.TemplateAdministrators, model.TemplateHelpDesk, model.TemplateSelfAdministration, model.TemplateCustom:
	default:
		return fmt.Errorf("site.template %q is not Administrators, HelpDesk, SelfAdministration or Custom", s.Template)
	}
	if s.ProductVersion == "" || len(s.ProductVersion) > 16 || strings.IndexFunc(s.ProductVersion, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
		return fmt.Errorf("site.productVersion %q must have 1 to 16 ASCII characters", s.ProductVersion)
	}
	if !fitsInt(s.CurrentRevision) {
		return fmt.Errorf("site.currentRevision %d is out of range", s.CurrentRevision)
	}
	for what, t := range map[string]string{"site.createdUtc": s.CreatedUTC, "site.modifiedUtc": s.ModifiedUTC} {
		if _, err := parseUTC(t); err != nil {
			return fmt.Errorf("%s: %v", what, err)
		}
	}
	seen := map[int64]bool{}
	for i, r := range f.Revisions {
		at := fmt.Sprintf("revisions[%d]", i)
		switch {
		case r.Revision < 1 || !fitsInt(r.Revision):
			return fmt.Errorf("%s.revision %d is out of range", at, r.Revision)
		case seen[r.Revision]:
			return fmt.Errorf("revision %d appears twice", r.Revision)
		case !fitsInt(r.SchemaVersion):
			return fmt.Errorf("%s.schemaVersion %d is out of range", at, r.SchemaVersion)
		case !isJSONDocument(r.Document):
			return fmt.Errorf("%s.document is not a JSON object or array", at)
		}
		if _, err := parseUTC(r.SavedUTC); err != nil {
			return fmt.Errorf("%s.savedUtc: %v", at, err)
		}
		seen[r.Revision] = true
	}
	for i, b := range f.Bindings {
		at := fmt.Sprintf("bindings[%d]", i)
		switch {
		case b.State != StateActive && b.State != StateLegacy:
			return fmt.Errorf("%s.state %q is not Active or Legacy", at, b.State)
		case b.IISSiteName == "" || data.UTF16Len(b.IISSiteName) > MaxIISSiteNameLength:
			return fmt.Errorf("%s.iisSiteName must have 1 to %d characters", at, MaxIISSiteNameLength)
		case b.ApplicationAlias == "" || data.UTF16Len(b.ApplicationAlias) > 256:
			return fmt.Errorf("%s.applicationAlias must have 1 to 256 characters", at)
		}
		if b.State == StateActive {
			if a, err := NormalizeAlias(b.ApplicationAlias); err != nil || a != b.ApplicationAlias {
				return fmt.Errorf("%s.applicationAlias %q is not an alias IIS accepts", at, b.ApplicationAlias)
			}
			for _, o := range f.Bindings[:i] {
				if o.State == StateActive && sameBinding(o.IISSiteName, o.ApplicationAlias, b.IISSiteName, b.ApplicationAlias) {
					return fmt.Errorf("%s is the Active binding %s/%s twice", at, b.IISSiteName, b.ApplicationAlias)
				}
			}
		}
	}
	return nil
}

func fitsInt(n int64) bool { return n >= math.MinInt32 && n <= math.MaxInt32 }

// isJSONDocument is SQL Server's ISJSON: a JSON object or array.
func isJSONDocument(s string) bool {
	t := strings.TrimLeft(s, " \t\r\n")
	return (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid([]byte(s))
}

// parseUTC reads utcText's form back (whole milliseconds, UTC); "" is NULL.
func parseUTC(s string) (data.Value, error) {
	if s == "" {
		return data.NullValue(), errors.New("a time is required")
	}
	t, err := time.Parse("2006-01-02T15:04:05.000Z", s)
	if err != nil {
		return data.NullValue(), fmt.Errorf("%q is not a UTC time such as 2024-06-01T12:00:00.000Z", s)
	}
	return data.TimeValue(t), nil
}

// checkName refuses a name the Name column cannot hold.
func checkName(n string) error {
	if data.UTF16Len(n) > 512 {
		return arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Give a shorter name.", "The site configuration name is longer than 512 characters.")
	}
	return nil
}
