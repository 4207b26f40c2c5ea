package controller

import (
	"context"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
	"github.com/rapport-crm/rapport/operator/internal/kafka"
)

// ensureTopics makes t's topics with the partitions and replication of its
// spec, growing topics that have fewer partitions.
func (r *TenantReconciler) ensureTopics(ctx context.Context, t *v1alpha1.Tenant) (string, error) {
	topics := Topics(t.Name, r.Config.Services)
	k := t.Spec.Kafka
	created, grown, err := r.topics.Ensure(ctx, topics, k.Partitions, int16(k.ReplicationFactor))
	if err != nil {
		reason := v1alpha1.ReasonTopicsFailed
		if errors.Is(err, kafka.ErrUnreachable) {
			reason = v1alpha1.ReasonKafkaUnreachable
		}
		return "", failure(reason, err)
	}
	t.Status.Topics = union(t.Status.Topics, topics)
	if len(created) > 0 {
		r.event(t, corev1.EventTypeNormal, "TopicsCreated", "Provision", "created %s", strings.Join(created, ", "))
	}
	if len(grown) > 0 {
		r.event(t, corev1.EventTypeNormal, "TopicsGrown", "Provision", "grew %s to %d partitions", strings.Join(grown, ", "), k.Partitions)
	}
	return fmt.Sprintf("%d topics with %d partitions, replication factor %d", len(topics), k.Partitions, k.ReplicationFactor), nil
}
