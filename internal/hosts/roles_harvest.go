package hosts

// Roles of hosts harvested from what an API reveals when pushed: settings
// in debug and configuration dumps, classified by the name of the key that
// holds them (rule pack config-host-roles). cors-origin, jwks and issuer
// (roles_wire.go) are harvested from dumps too.
const (
	RoleUpstream Role = "upstream" // a service the API calls server-side
	RoleDatabase Role = "database" // the API connects to it with its database credentials
	RoleCache    Role = "cache"    // Redis, Memcached, …: sessions and tokens often live there
	RoleQueue    Role = "queue"    // a message broker (AMQP, Kafka, SQS, NATS)
	RoleWebhook  Role = "webhook"  // the API posts events there (also the spec's webhooks)
)

// HarvestedRoles are roles learned only from what the API leaked about its
// own server side (error pages, dumps). Such names often live in private
// DNS, so a name that does not exist publicly is not proof it is unclaimed.
var HarvestedRoles = []Role{RoleUpstreamInError, RoleUpstream, RoleDatabase, RoleCache, RoleQueue}

// Forward is evidence that an operation of the API sends a credential to a
// host: a debug page's source line that copies the request's Authorization
// header onto an outbound call, or attaches a bearer token to it.
type Forward struct {
	Operation string `json:"operation"` // e.g. "GET /api/v1/reports/sales"
	Evidence  string `json:"evidence"`  // the line that attaches it (redacted)
	// CallerToken: the line copies the caller's own Authorization header;
	// otherwise it attaches a bearer token whose origin the page does not show.
	CallerToken bool `json:"caller_token"`
}

// maxForwards bounds the forwarding evidence kept per host.
const maxForwards = 8

// AddForward records that an operation forwards credentials to name and
// marks the host as carrying credentials. The host must already be in the
// graph (a forward without a role says nothing the audit can weigh).
func (g *Graph) AddForward(name string, f Forward) {
	name = Normalize(name)
	g.mu.Lock()
	defer g.mu.Unlock()
	h, ok := g.hosts[name]
	if !ok {
		return
	}
	h.CarriesCredentials = true
	for i, x := range h.ForwardedBy {
		if x.Operation == f.Operation {
			if f.CallerToken && !x.CallerToken {
				h.ForwardedBy[i] = f // the stronger evidence wins
			}
			return
		}
	}
	if len(h.ForwardedBy) < maxForwards {
		h.ForwardedBy = append(h.ForwardedBy, f)
	}
}
