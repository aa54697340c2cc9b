# uniquify.awk - used by bench/run.sh to make repeated copies of the corpus
# acceptable to kustomize, which rejects two objects with the same
# kind/namespace/name ("may not add resource with an already registered id").
#
#   awk -v sfx=-c2 -f bench/uniquify.awk corpus.yaml > copy2.yaml
#
# Appends `sfx` to every object's metadata.name: the top-level `metadata:`
# block of each document (helm renders it as "metadata:\n  name: X"), and in
# `kind: List` documents each item's `metadata:` block ("  - ...\n    metadata:
# \n      name: X"). Everything else is copied byte for byte; quoted names
# keep their quotes. Documents are buffered because `kind: List` may come
# after `items:`. Only line-based, which is enough for helm output (block
# style, 2-space indent); run.sh proves it by running kustomize on the result.
function rename(i,   q) {
  sub(/[ \t]+$/, "", line[i])
  q = substr(line[i], length(line[i]))
  if (q == "\"" || q == "'")
    line[i] = substr(line[i], 1, length(line[i]) - 1) sfx q
  else
    line[i] = line[i] sfx
}
function flush(   i, meta, done, imeta, idone) {
  meta = 0; done = 0; imeta = 0; idone = 0
  for (i = 1; i <= n; i++) {
    if (line[i] ~ /^metadata:[ \t]*$/) { meta = 1; continue }
    if (meta && line[i] ~ /^[^ \t#]/) meta = 0
    if (meta && !done && line[i] ~ /^  name:[ \t]/) { rename(i); done = 1 }
    if (!islist) continue
    if (line[i] ~ /^(  - |    )metadata:[ \t]*$/) { imeta = 1; idone = 0; continue }
    # a non-blank, non-comment line indented <= 4 ends the item's metadata
    if (imeta && line[i] ~ /[^ \t]/ && line[i] !~ /^[ \t]*#/ && match(line[i], /[^ ]/) <= 5) imeta = 0
    if (imeta && !idone && line[i] ~ /^      name:[ \t]/) { rename(i); idone = 1 }
  }
  for (i = 1; i <= n; i++) print line[i]
  n = 0; islist = 0
}
/^---/ { flush(); print; next }
/^kind:[ \t]*List[ \t]*$/ { islist = 1 }
{ line[++n] = $0 }
END { flush() }
