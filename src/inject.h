/* inject.h - the table of injectors and what they share.
 *
 * Each injector is one file under inject/ exporting
 *     int inject_<name>(struct inject *in);
 * which builds its objects with inject_object() and returns 0 or -1
 * (reported). Adding a generated kind = one file + one table row in inject.c.
 *
 * Ownership: generated trees live in in->a, owned by the caller of
 * inject_run(); the gen array is owned by struct inject (inject_free()).
 */
#ifndef INJECT_H
#define INJECT_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"	/* XSTR() */

struct arena;
struct config;
struct objs;
struct ynode;

/* Names of what we generate in the add-on namespace. */
#define REGISTRY_SERVICE "registry"		/* also the StatefulSet, SA, PDB, NetworkPolicy */
#define REGISTRY_HEADLESS "registry-headless"
#define REGISTRY_MIRROR "registry-mirror"	/* Service: every replica, read-only */
#define REGISTRY_CONFIG "registry-config"
#define REGISTRY_SYNC "registry-sync"
/* Ports of a registry pod (DESIGN.md section 7): the read-only instances
 * every replica serves, the writers, and Distribution's debug server. */
#define REGISTRY_PORT 5000		/* "https": mirror content, read-only */
#define REGISTRY_METRICS_PORT 5001	/* "metrics": container metrics (metrics.namespace) */
#define REGISTRY_DEBUG_ADDR "127.0.0.1:5011"	/* the mirror instance's debug server */
#define REGISTRY_PUSH_PORT 5002		/* "push": own images' writer (ordinal 0; loopback elsewhere) */
#define REGISTRY_OWN_PORT 5443		/* "own": copies of own images, read-only */
#define REGISTRY_MIRROR_WRITER_PORT 5010	/* loopback, plain HTTP: regsync writes the mirror */
#define REGISTRY_CACHE_PORT 5100	/* "cache-<i>": the cache of upstream i (5100 + i) */
#define REGISTRY_CACHE_MAX 32		/* cache instances, one per mirrored upstream */
#define REGISTRY_CACHE_AUTH_DIR "/etc/registry-cache-auth"	/* <i>/username, <i>/password */
#define REGISTRY_WRITER_POD "registry-0"	/* the StatefulSet's ordinal 0 */
#define REGISTRY_UID 1000	/* every container's user; fsGroup too (the PVC is
				 * writable by group 1000); also regsync's appuser */
#define REGISTRY_TLS_DIR "/etc/registry-tls"
#define REGISTRY_CONFIG_DIR "/etc/distribution"
#define REGISTRY_AUTH_DIR "/etc/registry-auth"	/* registry.push.htpasswdSecret */
/* in each add-on namespace whose pods run at system-*-critical priority */
#define CRITICAL_QUOTA "registry-addon-critical-pods"
/* in nodeTrust.namespace */
#define NODE_TRUST "registry-node-trust"	/* the DaemonSet, its ConfigMap and ServiceAccount */
#define NODE_CA "registry-node-ca"		/* cert-manager mode: the Certificate and Secret with ca.crt */
#define NODE_CA_CONFIGMAP "registry-ca"		/* secret and generate modes: the CA as a ConfigMap */
/* in each of registry.push.caNamespaces: ConfigMap (secret and generate modes)
 * or Certificate and Secret (cert-manager mode), key ca.crt */
#define PUSH_CA "registry-ca"
#define NODE_SCRIPT_DIR "/etc/registry-addon"	/* in the DaemonSet's container */
#define NODE_CA_DIR "/run/registry-addon/ca"
#define NODE_STATE_DIR "/run/registry-addon/state"

struct gen {
	struct ynode *root;
	const char *api, *kind, *ns, *name;
};

struct images;

/* A mirrored upstream (inject/upstreams.c); strings in the inject arena. */
struct upstream {
	const char *host;	/* normal form: docker.io, quay.io, registry.example.com:5000 */
	const char *endpoint;	/* https://registry-1.docker.io, https://<host> */
	const char *path;	/* its directory in the mirror (image_mirror_path()) */
	long cache_port;	/* its cache instance's port; 0: no cache */
};

struct inject {
	const struct config *cfg;
	struct arena *a;
	const struct objs *input;	/* input objects (ours included, flagged) */
	const struct images *images;	/* normalised images of the input's workloads */
	const char *path_dir;		/* KRM: file new objects under this folder, or NULL */
	struct gen *gen;
	size_t ngen, capgen;
	struct upstream *upstreams;	/* inject_upstreams() */
	size_t nupstreams;
	bool upstreams_done;
	int upstreams_rc;
};

/* Run every injector enabled by the configuration, check the result against
 * the input (a user's object of the same identity is an error; a user's
 * Namespace is reused), and order it for installation. A replaced object keeps
 * the pipeline annotations of the one it replaces; with path_dir, a new one is
 * given config.kubernetes.io/path "<path_dir>/[<ns>/]<kind>_<name>.yaml". */
int inject_run(struct inject *in);
void inject_free(struct inject *in);
/* What Managed mode would generate with in's configuration (Removed mode's
 * check of objects carrying our marker): every enabled injector run into
 * probe, its messages muted, a failing one's objects left out; cfg is the
 * Managed copy probe reads. Free with inject_probe_free(). */
void inject_probe_managed(const struct inject *in, struct config *cfg, struct inject *probe);
void inject_probe_free(struct inject *probe);
/* reconcile.c: the generated objects against the input. A user's object
 * with the identity of one of ours is an error (a user's Namespace is reused:
 * ours is dropped). An input object carrying our marker is replaced or removed
 * only if we generate it (under Removed: if Managed mode would); any other
 * is an error naming it, a stale one of ours (our part-of label, in namespace
 * or nodeTrust.namespace) that this version and configuration no longer
 * generate as such. A replaced object's pipeline annotations are kept.
 * Returns 0 or -1 (reported). */
int inject_reconcile(struct inject *in);

/* A new object with apiVersion, kind and metadata (name, namespace, our
 * labels and marker annotation); ns may be NULL for cluster-scoped kinds. */
/* The mirrored upstreams, sorted, computed on the first call (errors, such
 * as more than REGISTRY_CACHE_MAX with the cache, reported then): 0 or -1. */
int inject_upstreams(struct inject *in, const struct upstream **out, size_t *n);
/* Say on stderr (and in KRM results, as info) which upstreams are mirrored. */
void inject_tell_upstreams(struct inject *in);
/* A registry host as a normalised reference "HOST/x:1" (NULL if none); caller frees. */
char *inject_host_ref(const char *host);
struct ynode *inject_object(struct inject *in, const char *api, const char *kind,
			    const char *ns, const char *name, const char *component);

/* "registry.<ns>.svc.<domain>" (":port" added when not 443); caller frees. */
char *inject_service_host(const struct inject *in);
/* "registry-<i>.registry-headless.<ns>.svc.<domain>:<port>"; caller frees. */
char *inject_peer_host(const struct inject *in, long i, int port);
/* An address as an image reference's host: "10.96.0.20", "[fd00::14]", with
 * ":port" unless port is 443; caller frees. */
char *inject_ip_host(const char *ip, long port);
/* The server certificate's SANs: the Service in its four DNS forms, every
 * replica's four headless forms, registry.hostnames; the ClusterIP and
 * 127.0.0.1 (the sidecar dials loopback). Arrays of strings in in->a. */
struct sans {
	const char **dns, **ips;
	size_t ndns, nips;
};
void inject_sans(struct inject *in, struct sans *out);
/* The labels that select the registry pods (a new map). */
struct ynode *inject_selector(struct inject *in);
/* Is the host of a normalised reference our own registry (the Service's
 * four DNS forms, each replica's, registry.hostnames, the ClusterIP; on any
 * port) or loopback? Neither is mirrored nor preloaded. */
int inject_own_host(const struct inject *in, const char *ref);
/* Why inject_own_host() said yes, for a message (static text). */
const char *inject_own_why(const char *ref);
/* inject_ip_host() of the ClusterIP and the Service port; caller frees. */
char *inject_cluster_host(const struct inject *in);
/* sync.platforms holds "all": every platform is copied */
bool inject_all_platforms(const struct inject *in);
/* Pod spec helpers: a configured mapping or list copied in under key unless
 * it is empty (values were expanded under a budget when read); a volumeMount
 * appended to mounts; a volume {name} appended to volumes (add its source). */
void inject_set_copy(struct inject *in, struct ynode *map, const char *key, struct ynode *v);
struct ynode *inject_mount(struct inject *in, struct ynode *mounts, const char *name, const char *path, bool ro);
struct ynode *inject_volume(struct inject *in, struct ynode *volumes, const char *name);
/* A generated object by kind and name, or NULL. */
struct ynode *inject_find(const struct inject *in, const char *kind, const char *name);
/* SHA-256 hex of a generated object's data as emitted; 0 or -1. */
int inject_checksum(const struct inject *in, const char *kind, const char *name, char out[65]);

int inject_namespace(struct inject *in);
int inject_resource_quota(struct inject *in);
int inject_hosting(struct inject *in);
int inject_serviceaccount(struct inject *in);
int inject_registry_config(struct inject *in);
int inject_sync_config(struct inject *in);
int inject_services(struct inject *in);
int inject_statefulset(struct inject *in);
int inject_pdb(struct inject *in);
int inject_networkpolicy(struct inject *in);
/* tls.mode generate and secret: refuses a certificate whose validity has
 * ended, warns (stderr only) of one that ends within tls.renewBefore. */
int inject_tls_dates(struct inject *in);
int inject_push_ca(struct inject *in);
int inject_certificates(struct inject *in);
int inject_tls_secret(struct inject *in);
int inject_node_config(struct inject *in);
int inject_node_daemonset(struct inject *in);

#endif
