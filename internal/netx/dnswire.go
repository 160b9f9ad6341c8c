package netx

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/miekg/dns"
)

// errMalformed marks a reply that does not parse as what it says it is.
var errMalformed = errors.New("malformed reply")

// roundTrip sends m to server over c's transport and reads the reply, like
// dns.Client.ExchangeContext, but checks the reply against its own header:
// miekg/dns forgives a header that counts more records than the message
// holds (an answer count of 1 with no record reads as an empty answer, or
// takes the EDNS record for an answer), which would turn a truncated reply
// into NODATA.
func roundTrip(ctx context.Context, c *dns.Client, m *dns.Msg, server string) (*dns.Msg, time.Duration, error) {
	co, err := c.DialContext(ctx, server)
	if err != nil {
		return nil, 0, err
	}
	defer co.Close()
	if opt := m.IsEdns0(); opt != nil {
		co.UDPSize = opt.UDPSize()
	}
	t0 := time.Now()
	deadline := t0.Add(c.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = co.SetDeadline(deadline)
	// A cancelled context ends the wait at once, not at the deadline.
	stop := context.AfterFunc(ctx, func() { _ = co.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := co.WriteMsg(m); err != nil {
		return nil, 0, ctxErr(ctx, err)
	}
	_, udp := co.Conn.(net.PacketConn)
	for {
		raw, err := co.ReadMsgHeader(nil)
		if err != nil {
			return nil, time.Since(t0), ctxErr(ctx, err)
		}
		resp := new(dns.Msg)
		if err := resp.Unpack(raw); err != nil {
			return nil, time.Since(t0), fmt.Errorf("%w: %w", errMalformed, err)
		}
		if resp.Id != m.Id {
			if udp {
				continue // a late reply to an earlier query: keep waiting
			}
			return nil, time.Since(t0), fmt.Errorf("%w: %w", errMalformed, dns.ErrId)
		}
		if err := checkCounts(raw, resp); err != nil {
			return nil, time.Since(t0), err
		}
		return resp, time.Since(t0), nil
	}
}

// checkCounts compares the record counts of the header with the records
// the message holds. A reply cut short with TC set is left to the TCP
// retry.
func checkCounts(raw []byte, resp *dns.Msg) error {
	if resp.Truncated {
		return nil
	}
	for _, s := range []struct {
		name string
		off  int
		got  int
	}{{"answer", 6, len(resp.Answer)}, {"authority", 8, len(resp.Ns)}, {"additional", 10, len(resp.Extra)}} {
		if want := int(binary.BigEndian.Uint16(raw[s.off:])); want != s.got {
			return fmt.Errorf("%w: the header counts %d %s record(s), the message holds %d", errMalformed, want, s.name, s.got)
		}
	}
	return nil
}

// ctxErr prefers the context's error to the I/O error it caused.
func ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}
