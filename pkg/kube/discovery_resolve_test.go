package kube

import (
	"testing"

	"github.com/kwait-dev/kwait/pkg/apitype"
)

func TestServedHint(t *testing.T) {
	t.Parallel()
	served := []apitype.Type{
		{Group: "apps", Version: "v1", Resource: "deployments", Singular: "deployment", Kind: "Deployment", ShortNames: []string{"deploy"}},
		{Version: "v1", Resource: "configmaps", Singular: "configmap", Kind: "ConfigMap", ShortNames: []string{"cm"}},
	}
	for raw, want := range map[string]string{
		"deploymnets":         "; did you mean deployments?",
		"configmpa":           "; did you mean configmaps?",
		"widgets":             "",
		"deploymnets.example": "", // a group: a CRD may serve it
	} {
		n, err := apitype.ParseName(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := servedHint(n, served); got != want {
			t.Errorf("servedHint(%s) = %q, want %q", raw, got, want)
		}
	}
}
