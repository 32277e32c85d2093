package website

import (
	"strings"
	"unicode/utf8"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/data"
)

// MaxAliasLength is the longest application alias IIS accepts (characters).
const MaxAliasLength = 255

// aliasForbidden are the characters IIS refuses in a virtual path segment.
const aliasForbidden = `/\?#%*:<>|"`

// NormalizeAlias checks an application alias as IIS does and returns it
// without leading or trailing slashes ("/ARWebAdmin/" → "ARWebAdmin"), the
// form that is stored. The rules: one path segment; none of / \ ? # % * :
// < > | " nor a control character; not "." or ".."; no leading or trailing
// space; at most 255 characters. A broken rule is AR-ALIAS (InvalidArgument,
// exit 2) naming it.
func NormalizeAlias(alias string) (string, error) {
	a := strings.Trim(alias, "/")
	bad := func(rule string) (string, error) {
		return "", arerr.Errorf("AR-ALIAS", arerr.CatInvalidArgument,
			"Give the alias as one path segment, such as ARWebAdmin or \"my site\"; nothing was written.",
			"The application alias %q is not valid: %s.", alias, rule)
	}
	switch {
	case a == "":
		return bad("it is empty")
	case strings.Contains(a, "/"):
		return bad("it must be one path segment, without / inside")
	case a == "." || a == "..":
		return bad(`"." and ".." are not names`)
	case strings.TrimSpace(a) != a:
		return bad("it must not start or end with a space")
	case data.UTF16Len(a) > MaxAliasLength:
		return bad("it is longer than 255 characters")
	case !utf8.ValidString(a):
		return bad("it is not valid text")
	}
	if i := strings.IndexAny(a, aliasForbidden); i >= 0 {
		return bad("it must not contain " + quoteRune(a[i]) + " (none of / \\ ? # % * : < > | \")")
	}
	for _, r := range a {
		if r < 0x20 || r == 0x7f {
			return bad("it must not contain control characters")
		}
	}
	return a, nil
}

func quoteRune(b byte) string { return "'" + string(b) + "'" }

// SameAlias reports whether two aliases name the same IIS application path:
// IIS compares them case-insensitively and "/my site/" is "my site".
func SameAlias(a, b string) bool {
	return strings.EqualFold(strings.Trim(a, "/"), strings.Trim(b, "/"))
}

// sameBinding reports whether two (website, alias) pairs are one IIS
// application; website names compare case-insensitively, as IIS does.
func sameBinding(iisA, aliasA, iisB, aliasB string) bool {
	return strings.EqualFold(strings.TrimSpace(iisA), strings.TrimSpace(iisB)) && SameAlias(aliasA, aliasB)
}

// MaxIISSiteNameLength is the longest IIS website name a binding can hold
// (WebInterfaceBinding.IisSiteName is nvarchar(256)).
const MaxIISSiteNameLength = 256

// checkIISSiteName refuses an empty or overlong IIS website name (AR-PARAMS,
// exit 2).
func checkIISSiteName(iis string) error {
	switch {
	case iis == "":
		return arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Give the IIS website name, such as \"Default Web Site\".", "The site needs an IIS website name.")
	case data.UTF16Len(iis) > MaxIISSiteNameLength:
		return arerr.Errorf("AR-PARAMS", arerr.CatInvalidArgument, "Give the IIS website's name as IIS Manager shows it.", "The IIS website name is longer than %d characters.", MaxIISSiteNameLength)
	}
	return nil
}
