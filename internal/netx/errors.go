package netx

import (
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/dns"

	"github.com/plumbsec/plumb/internal/finding"
)

// DNSErrorKind classifies why a DNS question produced no usable answer.
// The kinds are different facts (invariant 8): only KindNXDomain means the
// name does not exist.
type DNSErrorKind int

// The DNS error kinds.
const (
	KindOther       DNSErrorKind = iota // anything else (FORMERR, NOTIMP, malformed reply, cancelled)
	KindNXDomain                        // rcode NXDOMAIN: the name does not exist
	KindNoData                          // rcode NOERROR but no records of the type asked for
	KindServFail                        // rcode SERVFAIL: the server could not answer
	KindRefused                         // rcode REFUSED: the server will not answer
	KindTimeout                         // no reply within the timeout
	KindUnreachable                     // the server could not be reached (e.g. connection refused)
)

func (k DNSErrorKind) String() string {
	switch k {
	case KindNXDomain:
		return "NXDOMAIN"
	case KindNoData:
		return "NODATA"
	case KindServFail:
		return "SERVFAIL"
	case KindRefused:
		return "REFUSED"
	case KindTimeout:
		return "timeout"
	case KindUnreachable:
		return "unreachable"
	default:
		return "error"
	}
}

// Sentinels for errors.Is on a *DNSError. ErrResolverDown matches both
// KindTimeout and KindUnreachable: no server gave any answer at all.
var (
	ErrNXDomain     = errors.New("dns: NXDOMAIN")
	ErrNoData       = errors.New("dns: NODATA")
	ErrServFail     = errors.New("dns: SERVFAIL")
	ErrRefused      = errors.New("dns: REFUSED")
	ErrDNSTimeout   = errors.New("dns: timeout")
	ErrUnreachable  = errors.New("dns: server unreachable")
	ErrResolverDown = errors.New("dns: no server answered")
)

// DNSError is the error of a DNS question. Rcode is -1 when no server
// replied.
type DNSError struct {
	Name   string
	Qtype  string
	Server string // the server whose reply (or silence) decided the error; may list several
	Rcode  int
	Kind   DNSErrorKind
	Err    error // underlying cause, if any
	// Attempts is how many exchanges the query took (see Attempts).
	Attempts int
}

func (e *DNSError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "dns %s %s", e.Qtype, e.Name)
	if e.Server != "" {
		fmt.Fprintf(&b, " @%s", e.Server)
	}
	b.WriteString(": ")
	b.WriteString(e.Kind.String())
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *DNSError) Unwrap() error { return e.Err }

// Is lets errors.Is(err, ErrNXDomain) and friends match by kind.
func (e *DNSError) Is(target error) bool {
	switch target {
	case ErrNXDomain:
		return e.Kind == KindNXDomain
	case ErrNoData:
		return e.Kind == KindNoData
	case ErrServFail:
		return e.Kind == KindServFail
	case ErrRefused:
		return e.Kind == KindRefused
	case ErrDNSTimeout:
		return e.Kind == KindTimeout
	case ErrUnreachable:
		return e.Kind == KindUnreachable
	case ErrResolverDown:
		return e.Kind == KindTimeout || e.Kind == KindUnreachable
	}
	return false
}

// Timeout reports whether the question timed out (net.Error style).
func (e *DNSError) Timeout() bool { return e.Kind == KindTimeout }

// Evidence renders the failure as a DNS evidence record.
func (e *DNSError) Evidence() finding.DNSAnswer {
	rc := e.Kind.String()
	if e.Rcode >= 0 {
		rc = rcodeString(e.Rcode)
	}
	ev := finding.DNSAnswer{Name: e.Name, Type: e.Qtype, Server: e.Server, Rcode: rc}
	if e.Err != nil || e.Rcode < 0 {
		ev.Error = e.Error()
	}
	return ev
}

func rcodeString(rc int) string {
	if s, ok := dns.RcodeToString[rc]; ok {
		return s
	}
	return fmt.Sprintf("RCODE%d", rc)
}

func typeString(t uint16) string {
	if s, ok := dns.TypeToString[t]; ok {
		return s
	}
	return fmt.Sprintf("TYPE%d", t)
}

// ErrBudgetExhausted is returned, without sending anything, once the
// per-scan request budget (Config.MaxRequests) is used up.
var ErrBudgetExhausted = errors.New("request budget exhausted")

// RedirectError reports a redirect chain that was cut short: a loop or more
// than Config.MaxRedirects hops. Hops holds every response received.
type RedirectError struct {
	Reason string // "redirect loop" or "too many redirects (max N)"
	Next   string // the redacted URL that would have been fetched next
	Hops   []Hop
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("%s after %d hops (next %s)", e.Reason, len(e.Hops), e.Next)
}
