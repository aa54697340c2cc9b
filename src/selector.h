/* selector.h - Kubernetes label selectors in kubectl's text form ("-l"):
 * requirements joined by ',': "key", "!key", "key=value", "key==value",
 * "key!=value", "key in (a,b)", "key notin (a,b)", "key>N", "key<N", as
 * k8s.io/apimachinery/pkg/labels.Parse reads them (keys are qualified names,
 * values label values; blanks around tokens are allowed).
 *
 * Ownership: a parsed selector owns its copies of keys and values
 * (selector_free()); matching only reads the labels it is given.
 * Functions return 0 or -1 (the error in *why, not reported).
 */
#ifndef SELECTOR_H
#define SELECTOR_H

#include <stdbool.h>

struct ynode;
struct selector;

/* Parse text ("" selects everything). NULL with *why set on an error. */
struct selector *selector_parse(const char *text, const char **why);
void selector_free(struct selector *s);	/* NULL is OK */
/* Do labels (a mapping of label keys to scalar values, or NULL for none)
 * satisfy every requirement? NULL selects everything. */
bool selector_match(const struct selector *s, struct ynode *labels);
/* The field check (cfgfields.h's fcheck): text parses; *why is a static
 * buffer, kept until the next failing call. */
int check_label_selector(const char *text, const char **why);

#endif
