package readiness

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kwait-dev/kwait/pkg/target"
)

// The typed rules over an object as a watch delivers it, for the rows of
// the built-in table (see Meaning).

// CRDObject is CRD on an unstructured CustomResourceDefinition.
func CRDObject(obj *unstructured.Unstructured) target.Status { return typed(obj, CRD) }

// DeploymentObject is Deployment on an unstructured Deployment.
func DeploymentObject(obj *unstructured.Unstructured) target.Status { return typed(obj, Deployment) }

// StatefulSetObject is StatefulSet on an unstructured StatefulSet.
func StatefulSetObject(obj *unstructured.Unstructured) target.Status { return typed(obj, StatefulSet) }

// DaemonSetObject is DaemonSet on an unstructured DaemonSet.
func DaemonSetObject(obj *unstructured.Unstructured) target.Status { return typed(obj, DaemonSet) }

// JobObject is Job on an unstructured Job.
func JobObject(obj *unstructured.Unstructured) target.Status { return typed(obj, Job) }

// WebhookConfigurationObject is WebhookConfiguration on an unstructured
// Validating- or MutatingWebhookConfiguration.
func WebhookConfigurationObject(obj *unstructured.Unstructured) target.Status {
	return typed(obj, WebhookConfiguration)
}

// APIServiceObject is APIService on an unstructured APIService.
func APIServiceObject(obj *unstructured.Unstructured) target.Status { return typed(obj, APIService) }

// PodObject is Pod on an unstructured Pod.
func PodObject(obj *unstructured.Unstructured) target.Status { return typed(obj, Pod) }

// EndpointSliceObject is EndpointSlice on an unstructured EndpointSlice.
func EndpointSliceObject(obj *unstructured.Unstructured) target.Status {
	return typed(obj, EndpointSlice)
}
