package cli

import (
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/rapport-crm/rapport/crmctl/internal/output"
	"github.com/rapport-crm/rapport/crmctl/internal/session"
	"github.com/rapport-crm/rapport/crmctl/internal/tail"
)

// envBrokers names the environment variable giving --brokers' default.
const envBrokers = "KAFKA_BROKERS"

// newEvents is `crmctl events`, with its sub-command tail.
func newEvents() *cobra.Command {
	cmd := session.Group(&cobra.Command{
		Use:     "events",
		Short:   "Read the tenant's events from Kafka",
		Example: "  crmctl events tail --type 'dev.rapport.sales.*' -o table",
	})
	cmd.AddCommand(newEventsTail())
	return cmd
}

// newEventsTail is `crmctl events tail`.
func newEventsTail() *cobra.Command {
	o := tail.Options{}
	var brokers, tenantID string
	cmd := &cobra.Command{
		Use:   "tail",
		Short: "Print the tenant's events as they are published",
		Long: "tail reads the topics of every bounded context (rapport.<context>.v1, or a dedicated\n" +
			"tenant's with --topic-prefix t.<tenant>.) without a consumer group, keeps the events of\n" +
			"the signed-in tenant (or --tenant-id, for platform operators) whose type matches a\n" +
			"--type pattern, and prints each as a CloudEvent in JSON on one line (-o table: time,\n" +
			"type, subject) until interrupted (Ctrl-C).",
		Example: `  crmctl events tail
  crmctl events tail --type 'dev.rapport.sales.*' --type dev.rapport.contacts.contact.created.v1 -o table
  crmctl events tail --from-beginning --brokers kafka-0:9092,kafka-1:9092
  crmctl events tail --tenant-id 0193… --topic-prefix t.0193….   # a platform operator, a dedicated tenant`,
		Args: session.Args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Brokers = strings.Split(brokers, ",")
			o.Format = tail.JSON
			switch session.Get(cmd).Output {
			case output.Table:
				if cmd.Flags().Changed("output") {
					o.Format = tail.Table
				}
			case output.YAML, output.CSV:
				return session.Usagef("events tail prints json (default) or table")
			}
			o.TenantID = tenantID
			if o.TenantID == "" {
				id, err := signedInTenant(cmd)
				if err != nil {
					return err
				}
				o.TenantID = id
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			o.Out, o.Errw = cmd.OutOrStdout(), cmd.ErrOrStderr()
			return tail.Run(ctx, o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.Types, "type", nil, "keep the events of this type pattern (exact, prefix.*, or *); repeatable")
	f.BoolVar(&o.FromBeginning, "from-beginning", false, "read the topics from their start, not only new events")
	f.StringVar(&brokers, "brokers", envOr(envBrokers, "127.0.0.1:9092"), "Kafka brokers, comma-separated (env "+envBrokers+")")
	f.StringVar(&o.Prefix, "topic-prefix", "", "the topics' prefix: t.<tenant id>. for a dedicated tenant")
	f.StringVar(&tenantID, "tenant-id", "", "the tenant whose events to keep (default: the signed-in tenant's)")
	return cmd
}

// signedInTenant returns the id of the signed-in tenant (GET /v1/me).
func signedInTenant(cmd *cobra.Command) (string, error) {
	c, err := session.NewClient(cmd)
	if err != nil {
		return "", err
	}
	var me struct {
		Tenant struct {
			ID string `json:"id"`
		} `json:"tenant"`
	}
	_, err = c.JSON(cmd.Context(), "GET", "/v1/me", nil, &me, nil)
	return me.Tenant.ID, err
}

// envOr returns the environment variable name's value, or def when unset.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
