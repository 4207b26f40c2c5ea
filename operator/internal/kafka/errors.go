package kafka

import (
	"context"
	"errors"
	"fmt"
	"net"
)

// ErrUnreachable wraps every failure to reach the brokers. Other errors are
// the brokers' answers.
var ErrUnreachable = errors.New("kafka: brokers unreachable")

// classify wraps err with ErrUnreachable when no broker answered.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: %w: %v", op, ErrUnreachable, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}
