package sqlserver

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/activeroles/arupgrade/core/arerr"
)

// selfSignedCert makes a certificate for hosts, valid from notBefore to notAfter.
func selfSignedCert(t *testing.T, hosts []string, notBefore, notAfter time.Time) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: hosts[0]},
		NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestSelfSignedCertificateIsNamed connects the real driver, with strict
// (TDS 8) encryption, to a local TLS listener presenting a self-signed
// certificate: the failure names the certificate problem and the options
// that fix it, not the generic connection remedy, and is not retried.
func TestSelfSignedCertificateIsNamed(t *testing.T) {
	cert := selfSignedCert(t, []string{"127.0.0.1"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _ = c.(*tls.Conn).Handshake(); c.Close() }()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	o := Options{Server: "127.0.0.1", Port: port, Database: "ARConfig82", Auth: AuthSQL, User: "arimport",
		Password: "Sq1-Secret-9f2e", Encrypt: EncryptStrict, ConnectTimeout: 5 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = Open(ctx, o, OpenOptions{})
	if err == nil {
		t.Fatal("connected to a server with a self-signed certificate")
	}
	var e *arerr.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want an *arerr.Error", err, err)
	}
	if e.Code != CodeCertificate || e.Category != arerr.CatConnectionError || e.Exit != arerr.ExitNotFound {
		t.Errorf("code %s, category %s, exit %d; want %s, ConnectionError, 4", e.Code, e.Category, e.Exit, CodeCertificate)
	}
	for _, want := range []string{fmt.Sprintf("127.0.0.1,%d", port), "not trusted", "self-signed", "x509"} {
		if !strings.Contains(e.Message, want) {
			t.Errorf("message %q lacks %q", e.Message, want)
		}
	}
	// The remedy names both sides' parameters; each front end spells them (--source-trust-server-certificate, -SourceTrustServerCertificate).
	for _, want := range []string{"{param:source.trustServerCertificate}", "{param:destination.trustServerCertificate}"} {
		if !strings.Contains(e.Remedy, want) {
			t.Errorf("remedy %q lacks %q", e.Remedy, want)
		}
	}
	if strings.Contains(e.Error(), o.Password) {
		t.Error("the password is in the error")
	}
	if IsTransient(err) {
		t.Error("a certificate failure is classified transient: retrying cannot help")
	}
}

// TestCertificateProblems classifies the validator's errors, wrapped (TDS 8)
// or flattened to text by the driver's %v (TDS 7.x), and leaves other
// connection errors alone.
func TestCertificateProblems(t *testing.T) {
	cert := selfSignedCert(t, []string{"sql01.corp.example.com"}, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	hostErr := x509.HostnameError{Certificate: leaf, Host: "sql01"}
	expired := x509.CertificateInvalidError{Cert: leaf, Reason: x509.Expired, Detail: "current time is after the end"}
	unknown := x509.UnknownAuthorityError{Cert: leaf}
	tests := []struct {
		name       string
		err        error
		wantCode   string
		wantMsg    string
		wantRemedy string
	}{
		{"self-signed, TDS 8 (wrapped)", fmt.Errorf("TLS Handshake failed: %w", &tls.CertificateVerificationError{Err: unknown}), CodeCertificate, "not trusted", "{param:source.trustServerCertificate}"},
		{"self-signed, TDS 7 (text)", fmt.Errorf("TLS Handshake failed: %v", &tls.CertificateVerificationError{Err: unknown}), CodeCertificate, "not trusted", "{param:destination.trustServerCertificate}"},
		{"host name, wrapped", fmt.Errorf("TLS Handshake failed: %w", &tls.CertificateVerificationError{Err: hostErr}), CodeCertificate, "another host name", "{param:source.hostNameInCertificate}"},
		{"host name, text", fmt.Errorf("TLS Handshake failed: %v", hostErr), CodeCertificate, "another host name", "HostNameInCertificate"},
		{"expired, wrapped", fmt.Errorf("TLS Handshake failed: %w", expired), CodeCertificate, "not valid", "Renew"},
		{"expired, text", fmt.Errorf("TLS Handshake failed: %v", expired), CodeCertificate, "not valid", "TrustServerCertificate"},
		{"refused", fmt.Errorf("dial tcp: connection refused"), "", "", ""},
		{"login failed", errors.New("mssql: login error: Login failed for user 'x'."), "", "", ""},
	}
	o := &Options{Server: "sql01", Database: "ARConfig82"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := wrap("connect to sql01", tt.err, o)
			var e *arerr.Error
			if tt.wantCode == "" {
				if errors.As(err, &e) {
					t.Fatalf("classified as %s: %v", e.Code, e)
				}
				return
			}
			if !errors.As(err, &e) || e.Code != tt.wantCode {
				t.Fatalf("err = %v, want %s", err, tt.wantCode)
			}
			if !strings.Contains(e.Message, tt.wantMsg) || !strings.Contains(e.Message, "sql01") {
				t.Errorf("message %q: want %q and the server", e.Message, tt.wantMsg)
			}
			if !strings.Contains(e.Remedy, tt.wantRemedy) {
				t.Errorf("remedy %q: want %q", e.Remedy, tt.wantRemedy)
			}
			var se *Error
			if !errors.As(err, &se) || se.Op != "connect to sql01" {
				t.Errorf("the driver error is not kept in the chain: %v", err)
			}
		})
	}
}
