package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/spec"

	"github.com/plumbsec/plumb/internal/words"
)

func newSpecCmd(st *Streams) *cobra.Command {
	var (
		net             netFlags
		auth            authFlags
		out             outputFlags
		allowRemoteRefs bool
	)
	cmd := &cobra.Command{
		Use:   "spec FILE|URL",
		Short: "Analyse an OpenAPI document offline: operations, security schemes, hosts and where credentials flow",
		Args:  exactArgs(1, "an OpenAPI document, file or URL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := out.validate([]string{"table", "json"}); err != nil {
				return err
			}
			o, err := net.loadOptions()
			if err != nil {
				return err
			}
			if o.Credentials, o.ExtraScope, err = auth.build(st.LookupEnv); err != nil {
				return err
			}
			o.AllowRemoteRefs = allowRemoteRefs
			api, err := engine.LoadSpec(cmd.Context(), args[0], o)
			if err != nil {
				return err
			}
			render := func(w io.Writer) error {
				if out.format == "json" {
					enc := json.NewEncoder(w)
					enc.SetIndent("", "  ")
					return enc.Encode(api.Summary())
				}
				return specTable(w, api)
			}
			if out.output != "" {
				return writeFileAtomic(out.output, render)
			}
			return render(st.Out)
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&allowRemoteRefs, "allow-remote-refs", false, "let the document's $refs fetch other URLs")
	net.register(fs)
	auth.register(fs)
	out.register(fs, "summary")
	return cmd
}

func specTable(w io.Writer, api *spec.API) error {
	authn := 0
	for _, op := range api.Operations {
		if op.RequiresAuth() {
			authn++
		}
	}
	fmt.Fprintf(w, "%s (OpenAPI %s) — %s\n", api.Title, api.Version, api.Source)
	fmt.Fprintf(w, "%s, %d require authentication\n\n", words.Count(len(api.Operations), "operation"), authn)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(api.SecuritySchemes) > 0 {
		fmt.Fprintln(tw, "SECURITY SCHEME\tTYPE\tDETAIL")
		for _, sc := range api.SecuritySchemes {
			detail := sc.Scheme
			if sc.Type == "apiKey" {
				detail = sc.In + " " + sc.ParamName
			}
			if sc.OpenIDConnectURL != "" {
				detail = sc.OpenIDConnectURL
			}
			for _, fl := range sc.Flows {
				detail = strings.TrimSpace(detail + " " + fl.Kind + ":" + firstNonEmpty(fl.TokenURL, fl.AuthorizationURL))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", sc.Name, sc.Type, detail)
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprintln(tw, "HOST\tCREDENTIALS\tROLES")
	for _, h := range api.Hosts() {
		creds := "-"
		if h.CarriesCredentials {
			creds = "yes"
		}
		var roles []string
		for _, r := range h.Roles {
			roles = append(roles, string(r))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", h.Host, creds, strings.Join(roles, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, wn := range api.Warnings {
		fmt.Fprintf(w, "warning: %s\n", wn)
	}
	return nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
