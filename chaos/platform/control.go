package platform

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Process is one process of the platform, as the launcher's control API
// lists it.
type Process struct {
	Name       string `json:"name"`    // "contacts-1"
	Service    string `json:"service"` // "contacts"
	Replica    int    `json:"replica"` // from 1
	PID        int    `json:"pid"`
	Addr       string `json:"addr"` // host:port of its HTTP listener
	MetricsURL string `json:"metricsUrl"`
	Running    bool   `json:"running"`
	Paused     bool   `json:"paused"` // stopped by Pause
}

// Processes lists every process of the platform: each service's replicas
// and the gateway's.
func (p *Platform) Processes(ctx context.Context) ([]Process, error) {
	var out []Process
	if err := p.call(ctx, http.MethodGet, "/processes", &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Kill sends SIGKILL to the process called name ("contacts-1") and returns
// at once.
func (p *Platform) Kill(ctx context.Context, name string) error { return p.act(ctx, name, "kill") }

// Restart kills the process called name if it runs, starts it again and
// returns once it is ready.
func (p *Platform) Restart(ctx context.Context, name string) error {
	return p.act(ctx, name, "restart")
}

// Pause stops the process called name with SIGSTOP, returning once it is
// stopped.
func (p *Platform) Pause(ctx context.Context, name string) error { return p.act(ctx, name, "pause") }

// Resume continues a paused process with SIGCONT.
func (p *Platform) Resume(ctx context.Context, name string) error { return p.act(ctx, name, "resume") }

// RestartKafka closes the in-process Kafka cluster and opens it again on
// the same data and ports.
func (p *Platform) RestartKafka(ctx context.Context) error {
	return p.call(ctx, http.MethodPost, "/kafka/restart", nil)
}

// MoveLeader moves the leadership of topic's partition to the other broker
// of the in-process Kafka (it runs two when Replicas > 1).
func (p *Platform) MoveLeader(ctx context.Context, topic string, partition int) error {
	q := url.Values{"topic": {topic}, "partition": {fmt.Sprint(partition)}}
	return p.call(ctx, http.MethodPost, "/kafka/move-leader?"+q.Encode(), nil)
}

// RestartPostgres shuts PostgreSQL down in immediate mode (pg_ctl -m
// immediate: a crash, recovered from the WAL) and starts it again.
func (p *Platform) RestartPostgres(ctx context.Context) error {
	return p.call(ctx, http.MethodPost, "/postgres/restart", nil)
}

func (p *Platform) act(ctx context.Context, name, action string) error {
	return p.call(ctx, http.MethodPost, "/processes/"+url.PathEscape(name)+"/"+action, nil)
}

// call sends one control request and decodes a 200's JSON into out; any
// other status than 200 or 204 is an error carrying the problem's text.
func (p *Platform) call(ctx context.Context, method, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, p.ControlURL+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("platform: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNoContent:
		return nil
	case resp.StatusCode == http.StatusOK && out != nil:
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return fmt.Errorf("platform: %s %s: %w", method, path, err)
		}
		return nil
	case resp.StatusCode == http.StatusOK:
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return fmt.Errorf("platform: %s %s: %s: %s", method, path, resp.Status, body)
}
