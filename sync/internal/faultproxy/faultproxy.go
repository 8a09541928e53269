// Package faultproxy is a TCP proxy for tests that breaks connections on
// purpose: it cuts them after some bytes, stalls them, or resets them
// (RST), in the middle of requests and responses.
package faultproxy

import (
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Fault is what happens to one connection.
type Fault int

// Faults.
const (
	None  Fault = iota // forward faithfully
	Cut                // close both sides after some bytes
	Stall              // stop forwarding after some bytes, keep the socket open
	Reset              // send RST after some bytes
)

// Proxy forwards connections from its listener to Target.
type Proxy struct {
	Target string
	// Rate is the probability that a connection gets a fault.
	Rate float64
	// MaxBytes bounds the byte offset at which a fault strikes.
	MaxBytes int
	down     atomic.Bool

	holdMu sync.Mutex
	hold   chan struct{} // closed by Release; nil when not holding
	held   atomic.Int64  // reads waiting at the hold right now

	ln     net.Listener
	rng    *rand.Rand
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
	Counts [4]atomic.Int64 // connections per Fault
}

// Start listens on a loopback port. seed makes the faults repeatable.
func Start(target string, rate float64, maxBytes int, seed uint64) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{Target: target, Rate: rate, MaxBytes: maxBytes, ln: ln, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// SetDown takes the network down (every open connection is reset and new
// ones are refused at once) or brings it back.
func (p *Proxy) SetDown(down bool) {
	p.down.Store(down)
	if !down {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		c.Close()
	}
}

// Hold stops forwarding on every connection, open or new, in both
// directions, until Release: the network stalls without a reset, as when a
// link hangs. Clients see silence until their own timeouts.
func (p *Proxy) Hold() {
	p.holdMu.Lock()
	if p.hold == nil {
		p.hold = make(chan struct{})
	}
	p.holdMu.Unlock()
}

// Release lets held traffic flow again.
func (p *Proxy) Release() {
	p.holdMu.Lock()
	if p.hold != nil {
		close(p.hold)
		p.hold = nil
	}
	p.holdMu.Unlock()
}

// Held is how many transfers wait at the hold now.
func (p *Proxy) Held() int64 { return p.held.Load() }

// wait blocks while the proxy holds, or until done closes.
func (p *Proxy) wait(done <-chan struct{}) {
	p.holdMu.Lock()
	h := p.hold
	p.holdMu.Unlock()
	if h == nil {
		return
	}
	p.held.Add(1)
	defer p.held.Add(-1)
	select {
	case <-h:
	case <-done:
	}
}

// SetRate changes the probability of a fault for new connections.
func (p *Proxy) SetRate(rate float64) {
	p.mu.Lock()
	p.Rate = rate
	p.mu.Unlock()
}

// Addr is the address clients dial.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Close stops listening and closes every connection.
func (p *Proxy) Close() {
	p.Release()
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) track(c net.Conn, on bool) {
	p.mu.Lock()
	if on {
		p.conns[c] = struct{}{}
	} else {
		delete(p.conns, c)
	}
	p.mu.Unlock()
}

func (p *Proxy) pick() (Fault, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Rate <= 0 || p.rng.Float64() >= p.Rate {
		return None, 0
	}
	return Fault(1 + p.rng.IntN(3)), p.rng.IntN(p.MaxBytes + 1)
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serve(c)
		}()
	}
}

func (p *Proxy) serve(client net.Conn) {
	if p.down.Load() {
		if tc, ok := client.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		client.Close()
		return
	}
	server, err := net.DialTimeout("tcp", p.Target, 2*time.Second)
	if err != nil {
		client.Close()
		return
	}
	p.track(client, true)
	p.track(server, true)
	defer func() {
		p.track(client, false)
		p.track(server, false)
		client.Close()
		server.Close()
	}()
	fault, at := p.pick()
	p.Counts[fault].Add(1)
	// The fault strikes on the byte stream of one direction, chosen by the
	// offset's parity: requests (upstream) or responses (downstream).
	var budget atomic.Int64
	budget.Store(int64(at))
	done := make(chan struct{}, 2)
	closed := make(chan struct{})
	defer close(closed)
	pipe := func(dst, src net.Conn, faulty bool) {
		defer func() { done <- struct{}{} }()
		buf := make([]byte, 16<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				p.wait(closed)
				if faulty && fault != None {
					left := budget.Load()
					if int64(n) > left {
						_, _ = dst.Write(buf[:left])
						p.strike(fault, client, server)
						return
					}
					budget.Add(-int64(n))
				}
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				if err != io.EOF {
					return
				}
				if tc, ok := dst.(*net.TCPConn); ok {
					_ = tc.CloseWrite()
				}
				return
			}
		}
	}
	up := at%2 == 0
	go pipe(server, client, up)
	go pipe(client, server, !up)
	<-done
}

// strike applies the fault once the byte budget is spent.
func (p *Proxy) strike(f Fault, client, server net.Conn) {
	switch f {
	case Cut:
		client.Close()
		server.Close()
	case Reset:
		if tc, ok := client.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		client.Close()
		server.Close()
	case Stall:
		// Hold the connection open and silent until the client gives up
		// (its timeout) or the proxy closes.
		buf := make([]byte, 1024)
		for {
			if _, err := client.Read(buf); err != nil {
				return
			}
		}
	}
}
