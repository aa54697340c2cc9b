/* inject/registryconfig.c - ConfigMap "registry-config": Distribution's
 * config.yml and run.sh, the container's entrypoint.
 *
 * config.yml: filesystem storage on the PVC, TLS from the mounted Secret,
 * health check of the storage driver, debug server with Prometheus metrics,
 * nosniff. http.secret is not in it (nor in our output): run.sh exports
 * REGISTRY_HTTP_SECRET, a hash of the mounted TLS key, the same on every
 * replica and stable across renders (or the user's Secret, as env).
 */
#include <stdlib.h>

#include "../config.h"
#include "../emit.h"
#include "../inject.h"
#include "../util.h"
#include "../ytree.h"

/* Distribution loads TLS only at start-up (registry/registry.go), so this
 * script restarts it (by exiting: the kubelet restarts the container) when
 * the mounted certificate changes. POSIX sh: runs under busybox. */
static const char run_sh[] =
	"#!/bin/sh\n"
	"# registry-addon: start Distribution with a stable http.secret, and restart it\n"
	"# when the served certificate changes (Distribution loads TLS only at start-up).\n"
	"# Replicas restart one after the other (ordinal x ADDON_RESTART_STAGGER s), so\n"
	"# the mirror keeps answering while a renewed certificate rolls out.\n"
	"set -u\n"
	"bin=${ADDON_REGISTRY_BIN:-/bin/registry}\n"
	"config=${ADDON_REGISTRY_CONFIG:-" REGISTRY_CONFIG_DIR "/config.yml}\n"
	"tls=${ADDON_TLS_DIR:-" REGISTRY_TLS_DIR "}\n"
	"every=${ADDON_CHECK_SECONDS:-30}\n"
	"ordinal=${HOSTNAME##*-}\n"
	"case $ordinal in ''|*[!0-9]*) ordinal=0 ;; esac\n"
	"stagger=$((ordinal * ${ADDON_RESTART_STAGGER:-45}))\n"
	"fingerprint() { cat \"$tls/tls.crt\" \"$tls/tls.key\" 2>/dev/null | sha256sum | cut -d' ' -f1; }\n"
	"if [ -z \"${REGISTRY_HTTP_SECRET:-}\" ]; then\n"
	"  REGISTRY_HTTP_SECRET=$(sha256sum \"$tls/tls.key\" | cut -d' ' -f1)\n"
	"  [ -n \"$REGISTRY_HTTP_SECRET\" ] || { echo \"registry-addon: cannot read $tls/tls.key\" >&2; exit 1; }\n"
	"  export REGISTRY_HTTP_SECRET\n"
	"fi\n"
	"served=$(fingerprint)\n"
	"\"$bin\" serve \"$config\" &\n"
	"pid=$! nap=\n"
	"trap 'kill -TERM \"$pid\" $nap 2>/dev/null; wait \"$pid\"; exit 0' TERM INT\n"
	"pause() { sleep \"$1\" & nap=$!; wait \"$nap\"; nap=; }\n"
	"while kill -0 \"$pid\" 2>/dev/null; do\n"
	"  pause \"$every\"\n"
	"  if [ \"$(fingerprint)\" != \"$served\" ]; then\n"
	"    echo \"registry-addon: the TLS certificate changed; restarting the registry in ${stagger}s to serve it\" >&2\n"
	"    pause \"$stagger\"\n"
	"    kill -TERM \"$pid\" 2>/dev/null\n"
	"    wait \"$pid\"\n"
	"    exit 0\n"
	"  fi\n"
	"done\n"
	"wait \"$pid\"\n";

static struct ynode *
distribution_config(struct inject *in)
{
	struct arena *a = in->a;
	struct ynode *cfg = ynode_map(a), *storage, *http, *m;
	char addr[32];

	ymap_str(a, cfg, "version", "0.1");
	ymap_str(a, ymap_map(a, ymap_map(a, cfg, "log"), "fields"), "service", "registry");
	storage = ymap_map(a, cfg, "storage");
	ymap_str(a, ymap_map(a, storage, "filesystem"), "rootdirectory", "/var/lib/registry");
	ymap_bool(a, ymap_map(a, storage, "delete"), "enabled", in->cfg->registry.delete_enabled);
	m = ymap_map(a, ymap_map(a, storage, "maintenance"), "uploadpurging");
	ymap_bool(a, m, "enabled", true);
	ymap_str(a, m, "age", "168h");
	ymap_str(a, m, "interval", "24h");
	ymap_bool(a, m, "dryrun", false);
	http = ymap_map(a, cfg, "http");
	snprintf(addr, sizeof(addr), ":%d", REGISTRY_PORT);
	ymap_str(a, http, "addr", addr);
	/* finish requests in flight on SIGTERM (within the 30 s grace period) */
	ymap_str(a, http, "draintimeout", "25s");
	m = ymap_map(a, http, "tls");
	ymap_str(a, m, "certificate", REGISTRY_TLS_DIR "/tls.crt");
	ymap_str(a, m, "key", REGISTRY_TLS_DIR "/tls.key");
	yseq_add(ymap_seq(a, ymap_map(a, http, "headers"), "X-Content-Type-Options"), ynode_str(a, "nosniff"));
	m = ymap_map(a, http, "debug");
	snprintf(addr, sizeof(addr), ":%d", REGISTRY_DEBUG_PORT);
	ymap_str(a, m, "addr", addr);
	m = ymap_map(a, m, "prometheus");
	ymap_bool(a, m, "enabled", true);
	ymap_str(a, m, "path", "/metrics");
	m = ymap_map(a, ymap_map(a, cfg, "health"), "storagedriver");
	ymap_bool(a, m, "enabled", true);
	ymap_str(a, m, "interval", "10s");
	ymap_int(a, m, "threshold", 3);
	return cfg;
}

int
inject_registry_config(struct inject *in)
{
	struct ynode *cm = inject_object(in, "v1", "ConfigMap", in->cfg->namespace, REGISTRY_CONFIG, "registry");
	struct ynode *data = ymap_map(in->a, cm, "data");
	struct buf text = BUF_INIT;
	int rc = emit_yaml(&text, distribution_config(in));

	if (rc == 0) {
		ymap_str(in->a, data, "config.yml", buf_cstr(&text));
		ymap_str(in->a, data, "run.sh", run_sh);
	}
	buf_free(&text);
	return rc;
}
