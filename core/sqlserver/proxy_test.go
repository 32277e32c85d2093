package sqlserver

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// faultProxy is a loopback TCP proxy for fault tests: it forwards to target
// and can drop or stall connections mid-stream, as a failing network would.
type faultProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	conns map[*proxyConn]bool

	dropAfter atomic.Int64 // >0: drop the next connection that has sent this many more client bytes
	dropped   atomic.Int64
	wg        sync.WaitGroup
}

type proxyConn struct {
	client, server net.Conn
	sent           atomic.Int64 // client → server bytes
	stalled        atomic.Bool
	unstall        chan struct{}
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, target: target, conns: map[*proxyConn]bool{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

// Addr is host:port of the proxy.
func (p *faultProxy) Addr() *net.TCPAddr { return p.ln.Addr().(*net.TCPAddr) }

func (p *faultProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.DialTimeout("tcp", p.target, 10*time.Second)
		if err != nil {
			c.Close()
			continue
		}
		pc := &proxyConn{client: c, server: s, unstall: make(chan struct{})}
		p.mu.Lock()
		p.conns[pc] = true
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(pc, c, s, true)
		go p.pipe(pc, s, c, false)
	}
}

func (p *faultProxy) pipe(pc *proxyConn, from, to net.Conn, up bool) {
	defer p.wg.Done()
	defer p.kill(pc)
	buf := make([]byte, 16<<10)
	var base int64 = -1
	for {
		n, err := from.Read(buf)
		if n > 0 {
			if pc.stalled.Load() {
				<-pc.unstall // holds the data, as a black-holed route would
			}
			if up {
				total := pc.sent.Add(int64(n))
				if limit := p.dropAfter.Load(); limit > 0 {
					if base < 0 {
						base = total - int64(n)
					}
					if total-base >= limit && p.dropAfter.CompareAndSwap(limit, 0) {
						p.dropped.Add(1)
						return // kill: both sides see a reset/EOF mid-stream
					}
				} else {
					base = -1
				}
			}
			if _, werr := to.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *faultProxy) kill(pc *proxyConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.conns[pc] {
		return
	}
	delete(p.conns, pc)
	if tc, ok := pc.client.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // RST, like a dropped route
	}
	pc.client.Close()
	pc.server.Close()
	if pc.stalled.Load() {
		close(pc.unstall)
	}
}

// DropAfter arms the proxy: the first connection that sends n more bytes
// from the client is cut in the middle of the stream.
func (p *faultProxy) DropAfter(n int64) { p.dropAfter.Store(n) }

// DropAll cuts every open connection now.
func (p *faultProxy) DropAll() {
	p.mu.Lock()
	var cs []*proxyConn
	for c := range p.conns {
		cs = append(cs, c)
	}
	p.mu.Unlock()
	for _, c := range cs {
		p.kill(c)
	}
	p.dropped.Add(int64(len(cs)))
}

// StallExisting stops forwarding on the connections open now; new
// connections work. The stalled ones end when the client gives up.
func (p *faultProxy) StallExisting() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.stalled.Store(true)
	}
}

// DropStalled cuts the stalled connections.
func (p *faultProxy) DropStalled() {
	p.mu.Lock()
	var cs []*proxyConn
	for c := range p.conns {
		if c.stalled.Load() {
			cs = append(cs, c)
		}
	}
	p.mu.Unlock()
	for _, c := range cs {
		p.kill(c)
	}
}

// Close stops the proxy and cuts every connection.
func (p *faultProxy) Close() {
	_ = p.ln.Close()
	p.DropAll()
	p.wg.Wait()
}

// TestFaultProxy checks the proxy itself against an echo server (no SQL
// Server needed).
func TestFaultProxy(t *testing.T) {
	echo, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer echo.Close()
	go func() {
		for {
			c, err := echo.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(c, c); c.Close() }()
		}
	}()
	p := newFaultProxy(t, echo.Addr().String())
	dial := func() net.Conn {
		c, err := net.Dial("tcp", p.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := dial()
	msg := []byte("hello")
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil || string(got) != "hello" {
		t.Fatalf("echo %q %v", got, err)
	}

	p.DropAfter(10)
	_, _ = c.Write(make([]byte, 20))
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(c); err != nil && !isReset(err) {
		t.Fatalf("read after drop: %v", err)
	}
	if p.dropped.Load() != 1 {
		t.Fatalf("dropped %d", p.dropped.Load())
	}

	c2 := dial()
	if _, err := c2.Write(msg); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(c2, got); err != nil {
		t.Fatalf("new connection after drop: %v", err)
	}
	p.StallExisting()
	_, _ = c2.Write(msg)
	_ = c2.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := c2.Read(got); err == nil {
		t.Fatal("stalled connection answered")
	} else if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Fatalf("stalled read: %v", err)
	}
	c3 := dial()
	_, _ = c3.Write(msg)
	_ = c3.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(c3, got); err != nil {
		t.Fatalf("new connection while others stall: %v", err)
	}
	c.Close()
	c2.Close()
	c3.Close()
}

func isReset(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF)
}
