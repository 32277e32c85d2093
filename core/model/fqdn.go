package model

import "strings"

// NormalizeHost trims and lower-cases a service host name, as the model does
// with TargetServiceHost and execution servers before storing them (§7.1, §7.3).
func NormalizeHost(h string) string { return strings.ToLower(strings.TrimSpace(h)) }

// IsFQDN is the AR-E017 rule, applied after NormalizeHost: at most 255
// characters, at least two dot-separated labels of 1–63 characters from
// [a-z0-9-], none starting or ending with '-'.
func IsFQDN(h string) bool {
	h = NormalizeHost(h)
	if len(h) == 0 || len(h) > 255 {
		return false
	}
	labels := 0
	for label := range strings.SplitSeq(h, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
		labels++
	}
	return labels >= 2
}
