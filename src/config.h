/* config.h - the RegistryAddon configuration (DESIGN.md §3): defaults, the
 * config document, a KRM ConfigMap, --set; validation with located errors.
 *
 * Ownership: struct config owns everything it points to (one arena), freed by
 * config_free(). Later sources win: defaults < document < --set.
 * Functions return 0 or -1 with the error reported through diag.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdbool.h>
#include <stdio.h>

struct arena;
struct buf;
struct ynode;
struct where;

#define CONFIG_API_VERSION "registry-addon.dev/v1alpha1"
#define CONFIG_KIND "RegistryAddon"

enum mstate { MS_MANAGED, MS_UNMANAGED, MS_REMOVED };

enum component {
	C_REGISTRY = 1 << 0,
	C_SYNC = 1 << 1,
	C_CERTIFICATES = 1 << 2,
	C_NODETRUST = 1 << 3,
	C_SPREAD = 1 << 4,
	C_WORKLOADSPREAD = 1 << 5,
	C_LOCALREGISTRYHOSTING = 1 << 6,
	C_CACHE = 1 << 7,
};

struct strlist {
	char **v;
	size_t n;
};

struct config {
	struct arena *arena;
	char *management_state;
	char *namespace;
	struct strlist components;
	struct {
		char *image;
		long replicas;
		struct {
			char *size;
			char *storage_class_name;
			struct strlist access_modes;
			bool empty_dir;
		} storage;
		struct {
			char *cluster_ip;	/* derived from service_cidr when empty */
			char *mirror_cluster_ip;	/* derived from cluster_ip when empty */
			char *service_cidr;
			long port;
		} service;
		struct strlist hostnames;
		struct ynode *resources;
		struct ynode *node_selector;
		struct ynode *tolerations;
		char *priority_class_name;
		bool delete_enabled;
		char *http_secret_name;
		struct {
			char *htpasswd_secret;
			struct strlist ca_namespaces;
		} push;
	} registry;
	struct {
		char *image;
		char *interval;
		struct strlist preload;		/* "auto" and/or image references */
		struct strlist platforms;	/* "all" or os/arch[/variant] */
		char *credentials_secret;
		long parallel;
		long rate_limit_min;
		char *rate_limit_retry;
		struct ynode *resources;
	} sync;
	struct {
		char *ttl;
		struct strlist credentials;	/* "upstream=secret" */
		char *ca_bundle;		/* ConfigMap of upstream CAs */
		struct ynode *resources;
	} cache;
	struct {
		char *mode;
		char *ca_duration, *duration, *renew_before;
		char *secret_name;
		char *ca_cert_file, *ca_key_file, *not_before;
		char *key_algorithm;
		long key_size;
		char *cert_manager_namespace;
	} tls;
	char *cluster_domain;
	struct {
		char *namespace;
		char *image;
	} metrics;
	struct {
		struct strlist runtimes;
		struct strlist mirrors;		/* "auto" and/or registry hosts */
		char *containerd_config_path;
		char *containerd_config_file;
		char *configure_containerd;
		char *namespace;
		char *image;
		char *priority_class_name;
		struct ynode *resources;
	} node_trust;
	struct {
		char *hostname, *zone, *worker_role;
	} spread;
	struct {
		char *hostname, *zone;		/* DoNotSchedule|ScheduleAnyway|off */
		long max_skew;
		struct strlist kinds;		/* Deployment|StatefulSet|ReplicaSet */
		struct strlist namespaces;	/* empty: every namespace */
		char *selector;			/* label selector text (selector.h) */
		char *existing;			/* keep|add */
	} workload_spread;

	/* where each field was last set, in config_fields order (file, source,
	 * line:col, .field the path prefix there; all 0 for a default), for
	 * config_finish()'s messages; the source text is the caller's and read
	 * only until config_finish() returns */
	struct where *set_at;

	/* derived by config_finish() */
	enum mstate state;
	unsigned components_mask;
};

struct config *config_new(void);
void config_free(struct config *c);	/* NULL is OK */

/* A RegistryAddon document read from a file (--config, legacy plugin argv[1]):
 * a regular file or a pipe of at most 16 MiB. A relative tls.caCertFile or
 * tls.caKeyFile in it is made relative to dir (NULL: the file's directory). The file is read once and its
 * bytes kept (owned here, until config_forget_file()) for later calls with
 * the same path: filter_run() configures twice, and a pipe gives its bytes once. */
int config_load_file(struct config *c, const char *path, const char *dir);
/* Forget the file read: the next config_load_file() reads it again
 * (filter_run() calls it as it ends: the cache lasts one run). */
void config_forget_file(void);
/* A KRM functionConfig: RegistryAddon or ConfigMap (data keys are --set paths).
 * file/src locate errors in the input stream. */
int config_apply_object(struct config *c, struct ynode *obj, const char *file, const char *src, size_t srclen);
/* One --set path=value. */
int config_set(struct config *c, const char *assignment);
/* Cross-field checks and derived values; call once after all sources. */
int config_finish(struct config *c);

bool config_has(const struct config *c, unsigned components);

/* --help's field reference; --print-defaults' document; c as a RegistryAddon
 * document (--print-config: call it before config_finish(), which derives
 * values the user did not set; file paths absolute); --schema's JSON Schema
 * (cfgschema.c). Each appends to out: 0, or -1. */
void config_print_fields(FILE *fp);
int config_print_defaults(struct buf *out);
int config_print(const struct config *c, struct buf *out);
int config_print_schema(struct buf *out);

#endif
