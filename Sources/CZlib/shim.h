#ifndef VANTHU_CZLIB_SHIM_H
#define VANTHU_CZLIB_SHIM_H

// zlib from Debian's zlib1g-dev. inflateInit/deflateInit are macros that
// pass the library version and struct size, so Swift cannot call them.

#include <zlib.h>

static inline int vt_inflate_init(z_stream *stream) { return inflateInit(stream); }
static inline int vt_deflate_init(z_stream *stream, int level) { return deflateInit(stream, level); }

#endif
