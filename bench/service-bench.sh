#!/usr/bin/env bash
# Service benchmarks of issue "Service core" (BENCHMARKS.md quotes their output):
#   1. embedded PostgreSQL: vanthu-server start to /readyz answering, first start and later starts
#   2. a 1 GiB file up and down through the CLI, next to sha256sum of the same file; server peak RSS
#   3. document creation (10 KB file) by 64 concurrent clients (wrk), next to pgbench running a
#      transaction with the same inserts on the same PostgreSQL
# Usage: bench/service-bench.sh [release|debug]   (needs: wrk, pgbench; make run's packages)
set -euo pipefail
CONFIG=${1:-release}
cd "$(dirname "$0")/.."
BIN=$(swift build -c "$CONFIG" --show-bin-path)
[ -x "$BIN/vanthu-server" ] && [ -x "$BIN/vanthu" ] || { echo "build first: swift build -c $CONFIG"; exit 3; }
WORK=$(mktemp -d /tmp/vanthu-bench.XXXXXX); chmod 755 "$WORK"
PORT=${PORT:-18080}
export VANTHU_DATA_DIR=$WORK/data VANTHU_DEMO_PASSWORD=bench-password-2026 VANTHU_BCRYPT_COST=4 \
       VANTHU_MAX_FILE_SIZE=$((2 * 1024 * 1024 * 1024)) XDG_CONFIG_HOME=$WORK/config VANTHU_LOG_LEVEL=warning \
       VANTHU_DB_POOL_SIZE=24 VANTHU_PORT=$PORT
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

now() { date +%s.%N; }
# Sets SERVER_PID and ELAPSED (seconds from launch to /readyz answering).
start_server() {
  local t0; t0=$(now)
  "$BIN/vanthu-server" serve > "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  until curl -sf "http://127.0.0.1:$PORT/readyz" > /dev/null; do sleep 0.02; done
  ELAPSED=$(echo "$(now) - $t0" | bc)
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=; }

echo "## VanThu service benchmarks ($CONFIG build, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
echo
echo "### Embedded PostgreSQL: start to /readyz"
start_server; first=$ELAPSED; stop_server
later=()
for i in 1 2 3; do start_server; later+=("$ELAPSED"); stop_server; done
echo "- first start (initdb, createdb, migrations): ${first} s"
echo "- later starts: ${later[*]} s"

"$BIN/vanthu-server" seed --demo > /dev/null
start_server
echo "$VANTHU_DEMO_PASSWORD" | "$BIN/vanthu" login --server "http://127.0.0.1:$PORT" --username huong.pt --password-stdin > /dev/null

echo
echo "### 1 GiB through the CLI"
head -c $((1024 * 1024 * 1024)) /dev/urandom > "$WORK/big.bin"
sync
t_sha=$( { /usr/bin/time -f %e sha256sum "$WORK/big.bin" > /dev/null; } 2>&1 )
hwm_before=$(awk '/VmHWM/ {print $2}' /proc/$SERVER_PID/status)
t0=$(now)
id=$("$BIN/vanthu" submit "$WORK/big.bin" --type BC --subject "Benchmark 1 GiB" 2>/dev/null)
t_up=$(echo "$(now) - $t0" | bc)
t0=$(now)
"$BIN/vanthu" download "$id" -o "$WORK/back.bin" > /dev/null 2>&1
t_down=$(echo "$(now) - $t0" | bc)
hwm_after=$(awk '/VmHWM/ {print $2}' /proc/$SERVER_PID/status)
cmp -s "$WORK/big.bin" "$WORK/back.bin" && same=identical || same=DIFFERENT
rm -f "$WORK/back.bin"
mib() { echo "scale=1; 1024 / $1" | bc; }
echo "| what | seconds | MiB/s |"
echo "| --- | --- | --- |"
echo "| sha256sum (reference) | $t_sha | $(mib "$t_sha") |"
echo "| vanthu submit (upload) | $t_up | $(mib "$t_up") |"
echo "| vanthu download | $t_down | $(mib "$t_down") |"
echo
echo "- downloaded file: $same; server peak RSS: $((hwm_before / 1024)) MiB before, $((hwm_after / 1024)) MiB after the transfers"

echo
echo "### Document creation, 10 KB file, 64 concurrent clients"
token=$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' "$XDG_CONFIG_HOME/vanthu/session.json")
cat > "$WORK/create.lua" <<LUA
-- Each request carries a different 10 KB file, so that no upload is de-duplicated.
local boundary = "bench-boundary"
local filler = string.rep("x", 10 * 1024 - 32)
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
local n = 0
local tag = tostring(math.random(1, 1e9))
request = function()
  n = n + 1
  local body = "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json\r\n\r\n"
    .. '{"type":"BC","subject":"Báo cáo tải thử"}\r\n'
    .. "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"main\"; filename=\"bao-cao.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    .. string.format("%-16s%016d", tag, n) .. filler .. "\r\n--" .. boundary .. "--\r\n"
  return wrk.format(nil, "/api/v1/documents", nil, body)
end
LUA
wrk -t2 -c64 -d20s --latency -s "$WORK/create.lua" "http://127.0.0.1:$PORT" > "$WORK/wrk.txt"
rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")
p50=$(awk '$1 == "50%" {print $2}' "$WORK/wrk.txt")
p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$WORK/wrk.txt")

org=$(psql -qAt -h "$VANTHU_DATA_DIR/run" -U vanthu vanthu -c "SELECT organisation_id FROM users WHERE username = 'huong.pt'")
uid=$(psql -qAt -h "$VANTHU_DATA_DIR/run" -U vanthu vanthu -c "SELECT id FROM users WHERE username = 'huong.pt'")
cat > "$WORK/create.sql" <<SQL
-- The inserts of one document creation with a 10 KB file, as the server does them.
\set r random(1, 2000000000)
\set k :client_id * 10000000000 + :r
BEGIN;
INSERT INTO documents (id, organisation_id, created_by, type_code, subject, urgency, confidentiality, status, current_version)
  VALUES (md5('d' || :k)::uuid, '$org', '$uid', 'BC', 'Báo cáo tải thử', 'thuong', 'thuong', 'submitted', 1);
INSERT INTO blob_chunks (blob_id, seq, data) VALUES (md5('b' || :k)::uuid, 0, convert_to(repeat('x', 10240), 'UTF8'));
INSERT INTO blobs (id, sha256, size, chunk_count) VALUES (md5('b' || :k)::uuid, sha256(convert_to('s' || :k, 'UTF8')), 10240, 1)
  ON CONFLICT (sha256) DO NOTHING RETURNING id;
INSERT INTO document_files (document_id, role, version, name, media_type, blob_id, created_by)
  VALUES (md5('d' || :k)::uuid, 'main', 1, 'bao-cao.pdf', 'application/pdf', md5('b' || :k)::uuid, '$uid');
INSERT INTO audit_events (actor_id, action, subject_type, subject_id, details)
  VALUES ('$uid', 'document.create', 'document', md5('d' || :k), '{"type":"BC"}');
COMMIT;
SQL
pgbench -n -c 64 -j 2 -T 20 -f "$WORK/create.sql" -h "$VANTHU_DATA_DIR/run" -U vanthu vanthu > "$WORK/pgbench.txt" 2>&1
tps=$(awk -F'= ' '/^tps/ {split($2, a, " "); print a[1]}' "$WORK/pgbench.txt")
# For comparison only (the goal's reference is the transaction above): the single prepared
# statement the server sends for a small upload (DocumentRepository's InsertSmallDocument).
cat > "$WORK/create-one.sql" <<SQL
\set r random(1, 2000000000)
\set k :client_id * 10000000000 + :r
WITH ins AS (
  INSERT INTO documents (id, organisation_id, created_by, type_code, subject, urgency, confidentiality, status, due_date, author, drafting_unit, current_version)
  VALUES (md5('e' || :k)::uuid, '$org', '$uid', 'BC', 'Báo cáo tải thử', 'thuong', 'thuong', 'submitted', NULL::text::date, NULL, NULL, 1)
  RETURNING created_at, organisation_id
), audit AS (
  INSERT INTO audit_events (actor_id, action, subject_type, subject_id, details)
  VALUES ('$uid', 'document.create', 'document', md5('e' || :k), jsonb_build_object('type', 'BC'))
), recipients AS (
  INSERT INTO document_recipients (document_id, organisation_id) SELECT md5('e' || :k)::uuid, unnest('{}'::uuid[])
), existing AS (
  SELECT id FROM blobs WHERE sha256 = sha256(convert_to('t' || :k, 'UTF8'))
), blob AS (
  INSERT INTO blobs (id, sha256, size, chunk_count)
  SELECT md5('c' || :k)::uuid, sha256(convert_to('t' || :k, 'UTF8')), 10240, 1 WHERE NOT EXISTS (SELECT FROM existing)
  ON CONFLICT (sha256) DO NOTHING RETURNING id
), chunk AS (
  INSERT INTO blob_chunks (blob_id, seq, data) SELECT id, 0, convert_to(repeat('x', 10240), 'UTF8') FROM blob
), file AS (
  INSERT INTO document_files (id, document_id, role, version, name, media_type, blob_id, created_by)
  VALUES (md5('f' || :k)::uuid, md5('e' || :k)::uuid, 'main', 1, 'bao-cao.pdf', 'application/pdf',
          COALESCE((SELECT id FROM blob), (SELECT id FROM existing)), '$uid')
  RETURNING created_at
)
SELECT ins.created_at, file.created_at, o.id, o.code, o.name, o.abbreviation, o.kind
FROM ins CROSS JOIN file JOIN organisations o ON o.id = ins.organisation_id;
SQL
pgbench -n -M prepared -c 64 -j 2 -T 20 -f "$WORK/create-one.sql" -h "$VANTHU_DATA_DIR/run" -U vanthu vanthu > "$WORK/pgbench-one.txt" 2>&1
tps_one=$(awk -F'= ' '/^tps/ {split($2, a, " "); print a[1]}' "$WORK/pgbench-one.txt")
echo "| what | per second | p50 | p99 |"
echo "| --- | --- | --- | --- |"
echo "| pgbench, same inserts in one transaction (reference) | $tps | | |"
echo "| pgbench, the server's single prepared statement (comparison) | $tps_one | | |"
echo "| POST /api/v1/documents via wrk -t2 -c64 | $rps | $p50 | $p99 |"
echo
echo "- ratio to the reference: $(echo "scale=2; $rps / $tps" | bc); to the single statement: $(echo "scale=2; $rps / $tps_one" | bc); non-2xx answers: ${non2xx:-0}"
