package starter

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/obs"
)

// Main is a service's main: it reads the configuration from the
// environment (exit status 2 and one line naming the variable when it is
// wrong), logs JSON to standard error, and runs s until SIGINT or SIGTERM
// (exit status 1 when it stops on a failure).
func Main(s Service) {
	cfg, err := ParseConfig(s.Name, os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: configuration: %v\n", s.Name, err)
		os.Exit(2)
	}
	logger := slog.New(kitx.LogHandler(obs.NewLogger(cfg.Name, os.Stderr, cfg.LogLevel).Handler()))
	slog.SetDefault(logger)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	err = Run(ctx, cfg, s, logger)
	stop()
	if err != nil {
		logger.Error(cfg.Name+" stopped", "error", err.Error())
		os.Exit(1)
	}
}
