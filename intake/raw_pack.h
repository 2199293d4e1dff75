/*
 * raw_pack.h — raw sources kept compressed (zstd) in the store.
 *
 * Every response keeps its source exactly as received, and for mail that
 * is most of what the store writes: a 5,000-message mailbox is 330 MB of
 * raw sources beside 270 MB of decoded text. Compressed at zstd's fastest
 * level, mail shrinks about fourfold for some 2 ms of CPU per megabyte,
 * which is far less than what SQLite and the kernel spend writing the
 * bytes it saves (into the WAL, then the database). Packing runs where a
 * message is parsed, on the threadpool, never on the loop thread.
 *
 * A packed source is a single zstd frame carrying its content size and a
 * checksum; raw_unpack checks both against the size recorded beside it,
 * so a damaged store is reported, never returned as mail.
 */
#ifndef CONSULTD_RAW_PACK_H
#define CONSULTD_RAW_PACK_H

#include <stddef.h>

struct response;

/* Compression state, reusable for any number of raw_pack calls by one
 * thread at a time. NULL when out of memory. raw_packer_free accepts NULL. */
struct raw_packer *raw_packer_new(void);
void raw_packer_free(struct raw_packer *pk);

/*
 * Compress r->raw into r->raw_packed (r->raw_len stays the size as
 * received) and free r->raw, when that saves at least an eighth: a short
 * or already compressed source is left as it is. A source kept in a file
 * (raw_in_file) is left too. Returns 0, or -1 when out of memory (r is
 * then unchanged).
 */
int raw_pack(struct raw_packer *pk, struct response *r);

/*
 * Decompress a packed source of size bytes as received. Returns a buffer
 * of size + 1 bytes, the last a NUL (caller frees), or NULL with the
 * reason in err: not a zstd frame, a different size than recorded, a
 * checksum mismatch, out of memory.
 */
unsigned char *raw_unpack(const void *packed, size_t packed_len, size_t size, char *err,
			  size_t errlen);

#endif
