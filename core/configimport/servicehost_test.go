package configimport

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/model"
)

// The services-server default is this computer's FQDN, found however the
// host names itself, and never a name that fails AR-E017: on a host named
// "vm" with no DNS domain there is no default, and the finding says so.
func TestDefaultServicesServer(t *testing.T) {
	noDNS := errors.New("no such host")
	tests := []struct {
		name     string
		hostname string
		cname    string
		addrs    []string
		names    map[string][]string
		want     string
	}{
		{name: "host name is an FQDN", hostname: "ARS01.Corp.Example.com", want: "ars01.corp.example.com"},
		{name: "trailing dot", hostname: "ars01.corp.example.com.", want: "ars01.corp.example.com"},
		{name: "short name, DNS canonical name", hostname: "ars01", cname: "ars01.corp.example.com.", want: "ars01.corp.example.com"},
		{name: "short name, reverse lookup", hostname: "ars01", addrs: []string{"10.0.0.5"},
			names: map[string][]string{"10.0.0.5": {"ars01.corp.example.com."}}, want: "ars01.corp.example.com"},
		{name: "vm without a domain", hostname: "vm", want: ""},
		{name: "vm whose canonical name is itself", hostname: "vm", cname: "vm.", want: ""},
		{name: "vm on loopback only", hostname: "vm", addrs: []string{"127.0.1.1"},
			names: map[string][]string{"127.0.1.1": {"vm.localdomain."}}, want: ""},
		{name: "reverse name of another host", hostname: "vm", addrs: []string{"10.0.0.9"},
			names: map[string][]string{"10.0.0.9": {"gateway.corp.example.com."}}, want: ""},
		{name: "no host name", hostname: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := hostLookup{
				hostname: func() (string, error) { return tt.hostname, nil },
				cname: func(context.Context, string) (string, error) {
					if tt.cname == "" {
						return "", noDNS
					}
					return tt.cname, nil
				},
				addrs: func(context.Context, string) ([]string, error) {
					if tt.addrs == nil {
						return nil, noDNS
					}
					return tt.addrs, nil
				},
				names: func(_ context.Context, a string) ([]string, error) { return tt.names[a], nil },
			}
			got := l.defaultFQDN()
			if got != tt.want {
				t.Fatalf("default = %q, want %q", got, tt.want)
			}
			if got != "" && !model.IsFQDN(got) {
				t.Fatalf("default %q fails its own check (AR-E017)", got)
			}
			if got == "" && tt.hostname != "" {
				msg, remedy := l.noServicesServer()
				if !strings.Contains(msg, `"`+strings.ToLower(tt.hostname)+`"`) || !strings.Contains(remedy, "{param:servicesServer}") {
					t.Fatalf("finding does not name the host and the parameter: %q / %q", msg, remedy)
				}
			}
		})
	}
}
