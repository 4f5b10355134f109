// Command webhook is a test image of the e2e cluster's real node: a
// validating admission webhook served over TLS on ADDRESS with the
// certificate and key in CERT and KEY (a Secret the test makes, with a CA
// of its own). It allows every object but those named "denied", which it
// denies with a message naming them, and prints one line per review, so a
// test can tell from the pod's log that the apiserver called it.
//
//	webhook ADDRESS CERT KEY
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: webhook ADDRESS CERT KEY")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	srv := &http.Server{Addr: os.Args[1], Handler: http.HandlerFunc(review), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServeTLS(os.Args[2], os.Args[3]) }()
	fmt.Println("serving on", os.Args[1])
	select {
	case err := <-done:
		fmt.Fprintln(os.Stderr, "webhook:", err)
		os.Exit(1)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "webhook:", err)
	}
}

// review answers one AdmissionReview.
func review(w http.ResponseWriter, r *http.Request) {
	var ar admissionv1.AdmissionReview
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&ar); err != nil || ar.Request == nil {
		http.Error(w, "not an AdmissionReview", http.StatusBadRequest)
		return
	}
	req := ar.Request
	resp := &admissionv1.AdmissionResponse{UID: req.UID, Allowed: req.Name != "denied"}
	verdict := "allowed"
	if !resp.Allowed {
		verdict = "denied"
		resp.Result = &metav1.Status{Code: http.StatusForbidden,
			Message: fmt.Sprintf("e2e webhook denies %s %s/%s", req.Kind.Kind, req.Namespace, req.Name)}
	}
	dryRun := req.DryRun != nil && *req.DryRun
	fmt.Printf("%s %s %s %s/%s dryRun=%t\n", verdict, req.Operation, req.Kind.Kind, req.Namespace, req.Name, dryRun)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(admissionv1.AdmissionReview{TypeMeta: ar.TypeMeta, Response: resp})
}
