/* codec.h: audio codecs as pure functions, no sockets: G.711 mu-law and
 * A-law (ITU-T G.711, bit-exact with the ITU-T G.191 reference). */
#ifndef SC_CODEC_H
#define SC_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define G711_ULAW_BIAS 33     /* on the 14-bit scale, G.191 */
#define G711_ULAW_CLIP 0x1fff /* 14-bit magnitude after the bias */
#define G711_ULAW_ZERO 0xff   /* code for silence */
#define G711_ALAW_ZERO 0xd5   /* code for silence */

/* One sample. Encoders take 16-bit linear PCM; mu-law uses its top 14
 * bits and A-law its top 13, as G.191 does. Decoders return the centre of
 * the code's quantisation interval on the 16-bit scale. */
uint8_t g711_ulaw_enc(int16_t lin);
uint8_t g711_alaw_enc(int16_t lin);
int16_t g711_ulaw_dec(uint8_t code);
int16_t g711_alaw_dec(uint8_t code);

/* Blocks of n samples; dst and src must not overlap. No errors. */
void g711_ulaw_encode(uint8_t *dst, const int16_t *src, size_t n);
void g711_alaw_encode(uint8_t *dst, const int16_t *src, size_t n);
void g711_ulaw_decode(int16_t *dst, const uint8_t *src, size_t n);
void g711_alaw_decode(int16_t *dst, const uint8_t *src, size_t n);

#endif
