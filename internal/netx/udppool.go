package netx

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Dialing a UDP socket per question (socket, connect, epoll registration,
// close) costs as much CPU as the question itself; a bulk audit asks
// hundreds of thousands. Sockets are therefore reused, one question at a
// time each, and retired after udpMaxUses questions so the source port
// keeps changing (an off-path spoofer who learns a port cannot keep
// using it) and after any error (a late reply never meets a new question).
const (
	udpMaxUses     = 64
	udpIdlePerPeer = 64  // idle sockets kept per server
	udpIdleTotal   = 512 // and in all: an iterative walk talks to many servers
)

type pooledConn struct {
	conn net.Conn // connected UDP socket
	buf  []byte   // the query, then the reply: reused, no garbage per question
	uses int
}

type udpPool struct {
	mu    sync.Mutex
	idle  map[string][]*pooledConn
	total int
}

func (p *udpPool) get(server string) *pooledConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	conns := p.idle[server]
	if len(conns) == 0 {
		return nil
	}
	pc := conns[len(conns)-1]
	p.idle[server] = conns[:len(conns)-1]
	p.total--
	return pc
}

// put returns a socket after a clean exchange, or closes it.
func (p *udpPool) put(server string, pc *pooledConn) {
	p.mu.Lock()
	if pc.uses < udpMaxUses && len(p.idle[server]) < udpIdlePerPeer && p.total < udpIdleTotal {
		if p.idle == nil {
			p.idle = map[string][]*pooledConn{}
		}
		p.idle[server] = append(p.idle[server], pc)
		p.total++
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	_ = pc.conn.Close()
}

// udpExchange asks one question over a pooled UDP socket. Replies with
// another id are late replies to an earlier question and are skipped (as
// dns.Client does); a reply with the question's id must also carry its
// question.
func (r *Resolver) udpExchange(ctx context.Context, m *dns.Msg, server string) (*dns.Msg, time.Duration, error) {
	pc := r.pool.get(server)
	if pc == nil {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "udp", server)
		if err != nil {
			return nil, 0, err
		}
		pc = &pooledConn{conn: conn, buf: make([]byte, udpBufSize)}
	}
	pc.uses++
	resp, rtt, err := pc.exchange(ctx, m, r.timeout)
	if err != nil {
		_ = pc.conn.Close()
		return nil, rtt, err
	}
	r.pool.put(server, pc)
	return resp, rtt, nil
}

// udpBufSize holds any reply to an EDNS buffer size of 1232 and the query.
const udpBufSize = 4096

func (pc *pooledConn) exchange(ctx context.Context, m *dns.Msg, timeout time.Duration) (*dns.Msg, time.Duration, error) {
	out, err := m.PackBuffer(pc.buf)
	if err != nil {
		return nil, 0, err
	}
	t0 := time.Now()
	deadline := t0.Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = pc.conn.SetDeadline(deadline)
	// A cancelled context ends the wait at once, not at the deadline.
	stop := context.AfterFunc(ctx, func() { _ = pc.conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := pc.conn.Write(out); err != nil {
		return nil, 0, err
	}
	for {
		n, err := pc.conn.Read(pc.buf)
		if err != nil {
			return nil, time.Since(t0), ctxErr(ctx, err)
		}
		resp := new(dns.Msg)
		if err := resp.Unpack(pc.buf[:n]); err != nil {
			return nil, time.Since(t0), fmt.Errorf("%w: %w", errMalformed, err)
		}
		if resp.Id != m.Id {
			continue // a late reply to an earlier question
		}
		if !sameQuestion(m, resp) {
			return nil, time.Since(t0), fmt.Errorf("%w: the reply answers another question: %w", errMalformed, dns.ErrId)
		}
		if err := checkCounts(pc.buf[:n], resp); err != nil {
			return nil, time.Since(t0), err
		}
		return resp, time.Since(t0), nil
	}
}

// sameQuestion: a reply must answer the question asked (the id alone is
// 16 bits). A failure reply (FORMERR, REFUSED) may leave the question out.
func sameQuestion(q, resp *dns.Msg) bool {
	if resp == nil {
		return false
	}
	if len(resp.Question) == 0 {
		return resp.Rcode != dns.RcodeSuccess
	}
	if len(resp.Question) != len(q.Question) {
		return false
	}
	for i := range q.Question {
		a, b := q.Question[i], resp.Question[i]
		if a.Qtype != b.Qtype || a.Qclass != b.Qclass || !strings.EqualFold(a.Name, b.Name) {
			return false
		}
	}
	return true
}

// Close closes the idle sockets of the resolver; it stays usable.
func (r *Resolver) Close() error {
	r.pool.mu.Lock()
	defer r.pool.mu.Unlock()
	for server, conns := range r.pool.idle {
		for _, pc := range conns {
			_ = pc.conn.Close()
		}
		delete(r.pool.idle, server)
	}
	r.pool.total = 0
	return nil
}
