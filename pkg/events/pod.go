package events

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// Pod names the pod kwait runs in: the object its Events are about.
type Pod struct {
	Namespace, Name string
	// UID is what kubectl describe pod matches Events by; without it an
	// Event still shows in kubectl get events, not in describe.
	UID string
}

// Environment variables a pod sets from the downward API (fieldRef
// metadata.name, metadata.namespace, metadata.uid); the library chart
// sets all three.
const (
	EnvPodName      = "POD_NAME"
	EnvPodNamespace = "POD_NAMESPACE"
	EnvPodUID       = "POD_UID"
)

// PodOf finds the pod kwait runs in, with no configuration where
// possible. The rules, in order:
//   - POD_NAME set: that pod, in POD_NAMESPACE (else the token's
//     namespace), with POD_UID (else the token's pod UID when the token
//     names the same pod);
//   - a service account token bound to a pod (every token the kubelet
//     projects is): the pod its kubernetes.io claims name. The token is
//     decoded, not verified: it only names the object Events are about,
//     and the apiserver checks it on every request anyway;
//   - otherwise no pod: ok is false and nothing is recorded.
//
// getenv reads the environment; token is the service account token, nil
// when there is none.
func PodOf(getenv func(string) string, token []byte) (pod Pod, ok bool) {
	claim := podClaim(token)
	name := getenv(EnvPodName)
	if name == "" {
		return claim, claim.Name != "" && claim.Namespace != ""
	}
	pod = Pod{Name: name, Namespace: getenv(EnvPodNamespace), UID: getenv(EnvPodUID)}
	if pod.Namespace == "" {
		pod.Namespace = claim.Namespace
	}
	if pod.UID == "" && claim.Name == pod.Name && claim.Namespace == pod.Namespace {
		pod.UID = claim.UID
	}
	return pod, pod.Namespace != ""
}

// podClaim is the pod a service account token's claims name; empty for
// anything that is not such a token.
func podClaim(token []byte) Pod {
	parts := strings.Split(strings.TrimSpace(string(token)), ".")
	if len(parts) != 3 {
		return Pod{}
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return Pod{}
	}
	var claims struct {
		Kubernetes struct {
			Namespace string `json:"namespace"`
			Pod       struct {
				Name string `json:"name"`
				UID  string `json:"uid"`
			} `json:"pod"`
		} `json:"kubernetes.io"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Kubernetes.Pod.Name == "" {
		return Pod{}
	}
	return Pod{Namespace: claims.Kubernetes.Namespace, Name: claims.Kubernetes.Pod.Name, UID: claims.Kubernetes.Pod.UID}
}
