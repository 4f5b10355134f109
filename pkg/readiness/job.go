package readiness

import (
	"fmt"
	"strings"

	"github.com/kwait-dev/kwait/pkg/target"
)

// Job decides whether a Job has completed. A running Job is not ready (unlike
// kstatus, which calls it current), and a failed one stops the wait at once.
//
// Rules, first match wins:
//  1. Condition Complete=True: Ready, even while the Job is being deleted
//     (a TTL controller cleaning up a finished Job does not undo it).
//  2. Condition Failed=True: Failed, with the condition's reason and message
//     (for example BackoffLimitExceeded or DeadlineExceeded).
//  3. Condition FailureTarget=True: Failed. The controller sets it once the
//     Job's failure is decided and only waits for pods to terminate before
//     setting Failed, so waiting longer cannot change the outcome.
//  4. metadata.deletionTimestamp set: Pending.
//  5. spec.suspend true: Pending, until someone resumes the Job.
//  6. Otherwise Pending with the progress: "succeeded N/M", where M is
//     spec.completions (1 when unset), or "succeeded N" for a work-queue Job
//     (completions unset, parallelism above 1); active and failed pod counts
//     follow when not zero.
func Job(j *JobFields) target.Status {
	if _, ok := jobCondition(j, "Complete"); ok {
		return target.Ready()
	}
	if c, ok := jobCondition(j, "Failed"); ok {
		return target.Failed("job failed: %s", failDetail(c))
	}
	if c, ok := jobCondition(j, "FailureTarget"); ok {
		return target.Failed("job failing: %s", failDetail(c))
	}
	if j.DeletionTimestamp != nil {
		return target.Pending("being deleted")
	}
	if j.Spec.Suspend != nil && *j.Spec.Suspend {
		return target.Pending("suspended")
	}
	st := j.Status
	var b strings.Builder
	switch {
	case j.Spec.Completions != nil:
		fmt.Fprintf(&b, "succeeded %d/%d", st.Succeeded, *j.Spec.Completions)
	case j.Spec.Parallelism != nil && *j.Spec.Parallelism > 1:
		fmt.Fprintf(&b, "succeeded %d", st.Succeeded)
	default:
		fmt.Fprintf(&b, "succeeded %d/1", st.Succeeded)
	}
	if st.Active > 0 {
		fmt.Fprintf(&b, ", active %d", st.Active)
	}
	if st.Failed > 0 {
		fmt.Fprintf(&b, ", failed %d", st.Failed)
	}
	return target.Pending("%s", b.String())
}

// jobCondition returns the condition of type typ when its status is True.
func jobCondition(j *JobFields, typ string) (Condition, bool) {
	for _, c := range j.Status.Conditions {
		if c.Type == typ && c.Status == "True" {
			return c, true
		}
	}
	return Condition{}, false
}

func failDetail(c Condition) string {
	if d := detail(c.Reason, c.Message); d != "" {
		return d
	}
	return "no reason given"
}
