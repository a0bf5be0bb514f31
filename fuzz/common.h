/*
 * summary: helpers shared by the fuzz targets (fuzz/fuzz_*.c) and the
 *          corpus replayer (fuzz/onefile.c).
 *
 * Every target links fuzz/common.c and the same libnetcap.a as the binary.
 * The checks here are the oracles beyond "no crash, no sanitizer report":
 * a record encodes identically with both encoders and unpacks again, and
 * its CSV, JSON and display text follow the rules at the top of
 * src/record/reflect.c (valid UTF-8; one CSV cell per column; JSON that an
 * RFC 8259 parser accepts; no control characters in display text). A
 * broken rule is a bug: fuzz_fail() prints it and aborts, so libFuzzer
 * saves the input and `make fuzz-replay` fails on it.
 */
#ifndef NC_FUZZ_COMMON_H
#define NC_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "decode/pkt.h"

/* The libFuzzer entry point, defined by each fuzz_*.c. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Registries (records, decoders) built once; safe to call every time. */
void fuzz_init(void);

/* Decoding options with every record type wanted, payload and entropy on. */
const struct nc_decode_opts *fuzz_all_records(void);

/* A malloc of exactly size bytes holding data, so that ASan reports a
 * read one byte past the input. Free it with free(). Never NULL. */
uint8_t *fuzz_dup(const uint8_t *data, size_t size);

/* A memfd holding data, and its "/proc/self/fd/N" path (for the APIs that
 * open a path). Returns the fd (close it when done); aborts on failure. */
int fuzz_memfd(const uint8_t *data, size_t size, char *path, size_t path_len);

/* Prints "fuzz: <what>" and aborts. */
_Noreturn void fuzz_fail(const char *what);

/* Encodes m with nc_encode_delimited and the protobuf-c reference encoder,
 * requires identical bytes, unpacks them and requires that the unpacked
 * message packs to the same bytes again. */
void fuzz_check_encode(const ProtobufCMessage *m);

/* Renders m as a CSV header and row, a JSON line and display text for
 * every column (each checked as described above). Output that hits a cap
 * (NC_ELIMIT) is accepted and not checked; any other error fails. */
void fuzz_check_render(const ProtobufCMessage *m);

/* Drives a stream made by nc_stream_test_new() with the chunk format of
 * fuzz_http and fuzz_tcpapps (data is the input after its option byte):
 * chunks of a header byte h and
 *   (h & 0x0e) == 0x0e: a gap of (next byte + 1) * (h >> 4 | 1) bytes in
 *                       direction h & 1;
 *   else:               next byte = length n, then n data bytes for
 *                       direction h & 1 (fewer if the input ends), each
 *                       chunk copied into a malloc of exactly its size; fed
 *                       one byte at a time when h & bytewise is set.
 * Then closes the stream, requires every budget byte back and the records
 * to be JSON Lines (what names the parser in the failure), and frees it. */
struct nc_stream;
void fuzz_stream_chunks(
        struct nc_stream *s, const uint8_t *data, size_t size, uint8_t bytewise, const char *what);

#endif
