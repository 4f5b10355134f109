//go:build e2e

package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// volumes writes each volume of pod into dir/NAME the way the kubelet's
// atomic writer lays it out: the files in a timestamped directory
// ..TIMESTAMP, a symlink ..data to it, and for each top-level name a
// symlink NAME -> ..data/NAME. So a reader of a mounted ConfigMap meets the
// same dot entries and symlinks as in a real pod.
func (r *runner) volumes(ctx context.Context, pod *corev1.Pod, dir string) error {
	for _, v := range pod.Spec.Volumes {
		files, err := r.volumeFiles(ctx, pod, v)
		if err != nil {
			return fmt.Errorf("volume %s: %w", v.Name, err)
		}
		if err := atomicWrite(filepath.Join(dir, v.Name), files); err != nil {
			return fmt.Errorf("volume %s: %w", v.Name, err)
		}
	}
	return nil
}

func (r *runner) volumeFiles(ctx context.Context, pod *corev1.Pod, v corev1.Volume) (map[string][]byte, error) {
	switch {
	case v.EmptyDir != nil:
		return nil, nil
	case v.ConfigMap != nil:
		return r.configMapFiles(ctx, pod.Namespace, v.ConfigMap.Name, v.ConfigMap.Optional, v.ConfigMap.Items)
	case v.Secret != nil:
		return r.secretFiles(ctx, pod.Namespace, v.Secret.SecretName, v.Secret.Optional, v.Secret.Items)
	case v.DownwardAPI != nil:
		return downwardFiles(pod, v.DownwardAPI.Items)
	case v.Projected != nil:
		all := map[string][]byte{}
		for _, s := range v.Projected.Sources {
			var files map[string][]byte
			var err error
			switch {
			case s.ServiceAccountToken != nil:
				files, err = r.tokenFile(ctx, pod, s.ServiceAccountToken)
			case s.ConfigMap != nil:
				files, err = r.configMapFiles(ctx, pod.Namespace, s.ConfigMap.Name, s.ConfigMap.Optional, s.ConfigMap.Items)
			case s.Secret != nil:
				files, err = r.secretFiles(ctx, pod.Namespace, s.Secret.Name, s.Secret.Optional, s.Secret.Items)
			case s.DownwardAPI != nil:
				files, err = downwardFiles(pod, s.DownwardAPI.Items)
			default:
				err = errors.New("only serviceAccountToken, configMap, secret and downwardAPI sources are supported")
			}
			if err != nil {
				return nil, err
			}
			for p, b := range files {
				all[p] = b
			}
		}
		return all, nil
	}
	return nil, errors.New("only emptyDir, configMap, secret, downwardAPI and projected volumes are supported")
}

// configMapFiles are the files of ConfigMap ns/name: every key, or the
// items given.
func (r *runner) configMapFiles(ctx context.Context, ns, name string, optional *bool, items []corev1.KeyToPath) (map[string][]byte, error) {
	cm, err := r.cs.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) && optional != nil && *optional {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("configmap %s/%s: %w", ns, name, err)
	}
	data := map[string][]byte{}
	for k, v := range cm.Data {
		data[k] = []byte(v)
	}
	for k, v := range cm.BinaryData {
		data[k] = v
	}
	return keyFiles("configmap "+ns+"/"+name, data, optional, items)
}

func (r *runner) secretFiles(ctx context.Context, ns, name string, optional *bool, items []corev1.KeyToPath) (map[string][]byte, error) {
	s, err := r.cs.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) && optional != nil && *optional {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("secret %s/%s: %w", ns, name, err)
	}
	return keyFiles("secret "+ns+"/"+name, s.Data, optional, items)
}

func keyFiles(what string, data map[string][]byte, optional *bool, items []corev1.KeyToPath) (map[string][]byte, error) {
	if len(items) == 0 {
		return data, nil
	}
	files := map[string][]byte{}
	for _, it := range items {
		b, ok := data[it.Key]
		if !ok {
			if optional != nil && *optional {
				continue
			}
			return nil, fmt.Errorf("%s has no key %s", what, it.Key)
		}
		files[it.Path] = b
	}
	return files, nil
}

func downwardFiles(pod *corev1.Pod, items []corev1.DownwardAPIVolumeFile) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, it := range items {
		if it.FieldRef == nil {
			return nil, fmt.Errorf("downwardAPI %s: only fieldRef is supported", it.Path)
		}
		v, err := fieldValue(pod, it.FieldRef.FieldPath)
		if err != nil {
			return nil, fmt.Errorf("downwardAPI %s: %w", it.Path, err)
		}
		files[it.Path] = []byte(v)
	}
	return files, nil
}

// tokenFile is a fresh token of the pod's ServiceAccount, bound to the
// pod, as the kubelet requests it for a projected serviceAccountToken.
func (r *runner) tokenFile(ctx context.Context, pod *corev1.Pod, src *corev1.ServiceAccountTokenProjection) (map[string][]byte, error) {
	req := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
		ExpirationSeconds: src.ExpirationSeconds,
		BoundObjectRef:    &authenticationv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: pod.Name, UID: pod.UID},
	}}
	if src.Audience != "" {
		req.Spec.Audiences = []string{src.Audience}
	}
	tok, err := r.cs.CoreV1().ServiceAccounts(pod.Namespace).CreateToken(ctx, pod.Spec.ServiceAccountName, req, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("token of serviceaccount %s/%s: %w", pod.Namespace, pod.Spec.ServiceAccountName, err)
	}
	return map[string][]byte{src.Path: []byte(tok.Status.Token)}, nil
}

// atomicWrite lays files out in dir as the kubelet's atomic writer does
// (see volumes). Paths must be relative and stay inside dir.
func atomicWrite(dir string, files map[string][]byte) error {
	stamp := ".." + time.Now().UTC().Format("2006_01_02_15_04_05.000000000")
	data := filepath.Join(dir, stamp)
	if err := os.MkdirAll(data, 0o755); err != nil {
		return err
	}
	tops := map[string]bool{}
	for p, b := range files {
		clean := filepath.Clean(p)
		if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") || strings.HasPrefix(clean, "..") {
			return fmt.Errorf("path %q is not allowed", p)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(data, clean)), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(data, clean), b, 0o644); err != nil {
			return err
		}
		top, _, _ := strings.Cut(clean, "/")
		tops[top] = true
	}
	if err := os.Symlink(stamp, filepath.Join(dir, "..data")); err != nil {
		return err
	}
	for top := range tops {
		if err := os.Symlink(filepath.Join("..data", top), filepath.Join(dir, top)); err != nil {
			return err
		}
	}
	return nil
}

// mountScript is the shell script that, in the container's private mount
// namespace, mounts its volumes (dirs under volumes, one per volume) and
// the file termLog at their paths, touches started and changes to the
// container's working directory; the caller appends the exec of kwait.
//
// A mount path must not change the host: the top directory it lies under
// (after the host's symlinks, so /var/run/... is /run/...) gets an overlay
// whose writes go to a tmpfs, and the directory is created and mounted on
// in there. The pod's files live under the temporary directory, which is
// never overlaid (a bind of a file seen through an overlay would write to
// the overlay's copy, not the file).
func mountScript(c corev1.Container, volumes, termLog, started string) (string, error) {
	type bind struct {
		src, dst string
		ro       bool
	}
	var binds []bind
	for _, m := range c.VolumeMounts {
		if m.SubPathExpr != "" {
			return "", fmt.Errorf("container %s: volumeMount %s: subPathExpr is not supported", c.Name, m.Name)
		}
		src := filepath.Join(volumes, m.Name, m.SubPath)
		if _, err := os.Stat(src); err != nil {
			return "", fmt.Errorf("container %s: volumeMount %s: %w", c.Name, m.Name, err)
		}
		binds = append(binds, bind{src, m.MountPath, m.ReadOnly})
	}
	if c.TerminationMessagePath != "" {
		binds = append(binds, bind{termLog, c.TerminationMessagePath, false})
	}
	own := topDir(os.TempDir())
	scratch := filepath.Join(filepath.Dir(termLog), "overlays")
	lines := []string{"set -e", "mkdir -p " + quote(scratch), "mount -t tmpfs tmpfs " + quote(scratch)}
	overlaid := map[string]bool{}
	for i, b := range binds {
		dst, err := hostPath(b.dst)
		if err != nil {
			return "", fmt.Errorf("container %s: mount path %s: %w", c.Name, b.dst, err)
		}
		top := topDir(dst)
		if info, err := os.Stat(top); err != nil || !info.IsDir() || top == dst || top == own || strings.ContainsAny(top+scratch, ",:") {
			return "", fmt.Errorf("container %s: mount path %s: only paths below a host directory other than %s are supported", c.Name, b.dst, own)
		}
		binds[i].dst = dst
		if !overlaid[top] {
			overlaid[top] = true
			upper, work := scratch+"/upper"+top, scratch+"/work"+top
			lines = append(lines, "mkdir -p "+quote(upper)+" "+quote(work),
				"mount -t overlay overlay -o "+quote("lowerdir="+top+",upperdir="+upper+",workdir="+work)+" "+quote(top))
		}
	}
	slices.SortFunc(binds, func(a, b bind) int { return strings.Compare(a.dst, b.dst) })
	for _, b := range binds {
		if info, err := os.Stat(b.src); err == nil && !info.IsDir() {
			lines = append(lines, "mkdir -p "+quote(filepath.Dir(b.dst)), "touch "+quote(b.dst))
		} else {
			lines = append(lines, "mkdir -p "+quote(b.dst))
		}
		lines = append(lines, "mount --bind "+quote(b.src)+" "+quote(b.dst))
		if b.ro {
			lines = append(lines, "mount -o remount,bind,ro "+quote(b.dst))
		}
	}
	workDir := c.WorkingDir
	if workDir == "" {
		workDir = "/" // the kwait image sets none
	}
	lines = append(lines, "touch "+quote(started), "cd "+quote(workDir))
	return strings.Join(lines, "\n"), nil
}

// hostPath is p with the symlinks of its longest existing prefix resolved.
func hostPath(p string) (string, error) {
	p = filepath.Join("/", p)
	rest := ""
	for dir := p; ; dir = filepath.Dir(dir) {
		if _, err := os.Lstat(dir); err == nil {
			real, err := filepath.EvalSymlinks(dir)
			if err != nil {
				return "", err
			}
			return filepath.Join(real, rest), nil
		}
		rest = filepath.Join(filepath.Base(dir), rest)
	}
}

// topDir is the first directory of absolute path p: /etc of /etc/kwait.
func topDir(p string) string {
	first, _, _ := strings.Cut(strings.TrimPrefix(filepath.Clean(p), "/"), "/")
	return "/" + first
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
