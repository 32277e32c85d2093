package configimport

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
	"github.com/activeroles/arupgrade/core/model"
)

// hostLookup is what DefaultServicesServer asks of the system; tests fake it.
type hostLookup struct {
	hostname func() (string, error)
	cname    func(ctx context.Context, host string) (string, error)
	addrs    func(ctx context.Context, host string) ([]string, error)
	names    func(ctx context.Context, addr string) ([]string, error)
}

var systemLookup = hostLookup{
	hostname: os.Hostname,
	cname:    net.DefaultResolver.LookupCNAME,
	addrs:    net.DefaultResolver.LookupHost,
	names:    net.DefaultResolver.LookupAddr,
}

// DefaultServicesServer is the services server when the user names none:
// this computer's fully qualified domain name — its host name when that has
// a domain, else the name DNS gives it (canonical name, then the names of
// its addresses). It is "" rather than a name that is no FQDN, so the
// default never fails its own check (AR-E017): NoServicesServer then says
// why there is no default and what to give.
func DefaultServicesServer() string { return systemLookup.defaultFQDN() }

func (l hostLookup) defaultFQDN() string {
	h, err := l.hostname()
	if err != nil {
		return ""
	}
	h = model.NormalizeHost(strings.TrimSuffix(h, "."))
	if model.IsFQDN(h) {
		return h
	}
	if h == "" {
		return ""
	}
	// DNS may be slow or absent on the host; a default is not worth a long wait.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if c, err := l.cname(ctx, h); err == nil {
		if c = model.NormalizeHost(strings.TrimSuffix(c, ".")); model.IsFQDN(c) {
			return c
		}
	}
	addrs, err := l.addrs(ctx, h)
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if ip := net.ParseIP(a); ip == nil || ip.IsLoopback() {
			continue // loopback names (localhost.localdomain) are no service's name
		}
		names, err := l.names(ctx, a)
		if err != nil {
			continue
		}
		for _, n := range names {
			n = model.NormalizeHost(strings.TrimSuffix(n, "."))
			if model.IsFQDN(n) && strings.HasPrefix(n, h+".") {
				return n
			}
		}
	}
	return ""
}

// noServicesServer is the E017 finding when no services server was given
// and this computer has no FQDN to be the default.
func noServicesServer() (message, remedy string) {
	return systemLookup.noServicesServer()
}

func (l hostLookup) noServicesServer() (message, remedy string) {
	remedy = "Give the fully qualified domain name of the 8.2 Administration Service that will run dynamic groups, group families and scheduled tasks (" +
		arerr.Param("servicesServer") + " ars01.corp.example.com)."
	h, err := l.hostname()
	if err != nil || strings.TrimSpace(h) == "" {
		return "No services server was given, and this computer's name cannot be read to be the default.", remedy
	}
	return fmt.Sprintf("No services server was given, and this computer's name %q is not a fully qualified domain name (DNS gives it no domain either), so it cannot be the default.",
		model.NormalizeHost(h)), remedy
}
