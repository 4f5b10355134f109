package readiness

import (
	"testing"

	batchv1 "k8s.io/api/batch/v1"
)

func TestJob(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		want verdict
	}{
		{"running.yaml", pending("succeeded 1/3, active 2")},
		{"complete.yaml", ready},
		{"backoff-limit-exceeded.yaml", broken("job failed: BackoffLimitExceeded: Job has reached the specified backoff limit")},
		{"failure-target.yaml", broken("job failing: BackoffLimitExceeded")},
		{"suspended.yaml", pending("suspended")},
		{"work-queue.yaml", pending("succeeded 2, active 1")},
		{"retrying.yaml", pending("succeeded 0/1, active 1, failed 2")},
		{"not-started.yaml", pending("succeeded 0/1")},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			check(t, Job(loadAs[batchv1.Job, JobFields](t, "job/"+tc.file)), tc.want)
		})
	}
}
