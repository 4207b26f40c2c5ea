package chart

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"helm.sh/helm/v4/pkg/action"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// helmConfig returns a Helm action configuration talking to the API server
// of cfg in namespace, storing releases in Secrets as the CLI does.
func helmConfig(t *testing.T, cfg *rest.Config, namespace string) *action.Configuration {
	t.Helper()
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken}
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "admin", Namespace: namespace}
	kc.CurrentContext = "envtest"
	if err := clientcmd.WriteToFile(*kc, kubeconfig); err != nil {
		t.Fatal(err)
	}
	flags := genericclioptions.NewConfigFlags(false)
	flags.KubeConfig = &kubeconfig
	flags.Namespace = &namespace
	ac := action.NewConfiguration()
	if err := ac.Init(flags, namespace, "secret"); err != nil {
		t.Fatalf("helm configuration: %v", err)
	}
	return ac
}

// jobCompleter stands in for the job controller and kubelet envtest lacks:
// it marks every Job created in its namespace as succeeded, so Helm's
// pre-install/pre-upgrade hooks (the migration Jobs) finish. Before it marks
// one, it calls seen with the Job, so a test can look at the cluster at the
// moment the hook runs.
type jobCompleter struct {
	cs        kubernetes.Interface
	namespace string
	seen      func(*batchv1.Job)
	mu        sync.Mutex
	done      map[string]bool
	wg        sync.WaitGroup
}

// completeJobs starts a jobCompleter until the test ends.
func completeJobs(t *testing.T, cfg *rest.Config, namespace string, seen func(*batchv1.Job)) *jobCompleter {
	t.Helper()
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &jobCompleter{cs: cs, namespace: namespace, seen: seen, done: map[string]bool{}}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		_ = wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
			if err := c.completeAll(ctx); err != nil && ctx.Err() == nil {
				t.Errorf("complete the Jobs: %v", err)
				return true, nil
			}
			return false, nil
		})
	}()
	t.Cleanup(func() { cancel(); c.wg.Wait() })
	return c
}

// completeAll marks each Job that has not succeeded as succeeded.
func (c *jobCompleter) completeAll(ctx context.Context) error {
	list, err := c.cs.BatchV1().Jobs(c.namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for i := range list.Items {
		j := &list.Items[i]
		if j.Status.Succeeded > 0 {
			continue
		}
		if c.seen != nil {
			c.seen(j)
		}
		now := metav1.Now()
		j.Status = batchv1.JobStatus{
			StartTime:      &now,
			CompletionTime: &now,
			Succeeded:      1,
			Conditions: []batchv1.JobCondition{
				{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, LastTransitionTime: now, LastProbeTime: now},
				{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, LastTransitionTime: now, LastProbeTime: now},
			},
		}
		_, err := c.cs.BatchV1().Jobs(c.namespace).UpdateStatus(ctx, j, metav1.UpdateOptions{})
		if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
			continue // changed or deleted meanwhile: the next poll sees it anew
		}
		if err != nil {
			return fmt.Errorf("job %s: %w", j.Name, err)
		}
		c.mu.Lock()
		c.done[j.Name] = true
		c.mu.Unlock()
	}
	return nil
}

// completed returns the names of the Jobs marked succeeded so far and
// forgets them.
func (c *jobCompleter) completed() map[string]bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.done
	c.done = map[string]bool{}
	return out
}
