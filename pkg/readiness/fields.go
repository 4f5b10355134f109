package readiness

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// The fields kwait reads of the built-in types its typed rules judge, in
// structs of its own with the API's field names and JSON names. The API
// packages (k8s.io/api/core/v1 and apps, batch, discovery, which import it)
// made 2.2 MB of the binary for these few fields. A watch's object converts
// into them as into the API's types; fields kwait does not read are left
// out.

// Condition is one entry of status.conditions.
type Condition struct {
	Type    string `json:"type"`
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// DeploymentFields is what Deployment reads of an apps/v1 Deployment.
type DeploymentFields struct {
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		Replicas *int32 `json:"replicas,omitempty"`
		Paused   bool   `json:"paused,omitempty"`
	} `json:"spec"`
	Status struct {
		ObservedGeneration int64       `json:"observedGeneration,omitempty"`
		Replicas           int32       `json:"replicas,omitempty"`
		UpdatedReplicas    int32       `json:"updatedReplicas,omitempty"`
		AvailableReplicas  int32       `json:"availableReplicas,omitempty"`
		Conditions         []Condition `json:"conditions,omitempty"`
	} `json:"status"`
}

// StatefulSetFields is what StatefulSet reads of an apps/v1 StatefulSet.
type StatefulSetFields struct {
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		Replicas        *int32 `json:"replicas,omitempty"`
		MinReadySeconds int32  `json:"minReadySeconds,omitempty"`
		UpdateStrategy  struct {
			Type          string `json:"type,omitempty"`
			RollingUpdate *struct {
				Partition *int32 `json:"partition,omitempty"`
			} `json:"rollingUpdate,omitempty"`
		} `json:"updateStrategy"`
	} `json:"spec"`
	Status struct {
		ObservedGeneration int64 `json:"observedGeneration,omitempty"`
		Replicas           int32 `json:"replicas"`
		ReadyReplicas      int32 `json:"readyReplicas,omitempty"`
		AvailableReplicas  int32 `json:"availableReplicas"`
		UpdatedReplicas    int32 `json:"updatedReplicas,omitempty"`
	} `json:"status"`
}

// DaemonSetFields is what DaemonSet reads of an apps/v1 DaemonSet.
type DaemonSetFields struct {
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		UpdateStrategy struct {
			Type string `json:"type,omitempty"`
		} `json:"updateStrategy"`
	} `json:"spec"`
	Status struct {
		ObservedGeneration     int64 `json:"observedGeneration,omitempty"`
		DesiredNumberScheduled int32 `json:"desiredNumberScheduled"`
		UpdatedNumberScheduled int32 `json:"updatedNumberScheduled,omitempty"`
		NumberAvailable        int32 `json:"numberAvailable,omitempty"`
	} `json:"status"`
}

// JobFields is what Job reads of a batch/v1 Job.
type JobFields struct {
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		Parallelism *int32 `json:"parallelism,omitempty"`
		Completions *int32 `json:"completions,omitempty"`
		Suspend     *bool  `json:"suspend,omitempty"`
	} `json:"spec"`
	Status struct {
		Conditions []Condition `json:"conditions,omitempty"`
		Active     int32       `json:"active,omitempty"`
		Succeeded  int32       `json:"succeeded,omitempty"`
		Failed     int32       `json:"failed,omitempty"`
	} `json:"status"`
}

// EndpointSliceFields is what EndpointSlices reads of a discovery/v1
// EndpointSlice.
type EndpointSliceFields struct {
	metav1.ObjectMeta `json:"metadata"`
	Endpoints         []struct {
		Addresses  []string `json:"addresses"`
		Conditions struct {
			Ready *bool `json:"ready,omitempty"`
		} `json:"conditions"`
	} `json:"endpoints"`
}

// PodFields is what Pod and Pods read of a v1 Pod.
type PodFields struct {
	metav1.ObjectMeta `json:"metadata"`
	Status            struct {
		Phase                 string            `json:"phase,omitempty"`
		Reason                string            `json:"reason,omitempty"`
		Message               string            `json:"message,omitempty"`
		Conditions            []Condition       `json:"conditions,omitempty"`
		InitContainerStatuses []ContainerStatus `json:"initContainerStatuses,omitempty"`
		ContainerStatuses     []ContainerStatus `json:"containerStatuses,omitempty"`
	} `json:"status"`
}

// ContainerStatus is what Pod reads of one container's status.
type ContainerStatus struct {
	Name         string `json:"name"`
	RestartCount int32  `json:"restartCount"`
	State        struct {
		Waiting *struct {
			Reason  string `json:"reason,omitempty"`
			Message string `json:"message,omitempty"`
		} `json:"waiting,omitempty"`
	} `json:"state"`
	LastTerminationState struct {
		Terminated *struct {
			ExitCode int32  `json:"exitCode"`
			Reason   string `json:"reason,omitempty"`
			Message  string `json:"message,omitempty"`
		} `json:"terminated,omitempty"`
	} `json:"lastState"`
}
