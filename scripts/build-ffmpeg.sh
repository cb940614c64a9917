#!/bin/sh
# Builds the ffmpeg and ffprobe of the Docker image (Dockerfile, stage `ffmpeg`) from Debian's own source
# package, security patches included, with only what the bot runs: H.264 out through libx264 (linked to
# Debian's libx264), the decoders of the videos it is given, PNG frames, MP4 in and out, the concat
# demuxer, the scale/pad/fps/concat filters of src/media and the lavfi sources of src/simulator. Debian's
# own `ffmpeg` package pulls ~459 MiB of libraries (LLVM, Mesa, ...) for devices, filters and codecs the
# bot never uses; this build is a few MiB. Run from the unpacked source; installs into $1 (bin/ffmpeg,
# bin/ffprobe). A flag added to src/media may need its component enabled here: docs/image-size.md says how
# to run the media tests against this build.
set -eu
prefix=${1:?usage: build-ffmpeg.sh <prefix>}
./configure \
  --prefix="$prefix" \
  --enable-gpl --enable-libx264 --enable-zlib \
  --disable-autodetect --disable-everything --disable-network \
  --disable-debug --disable-doc --disable-ffplay \
  --enable-protocol=file,pipe \
  --enable-indev=lavfi \
  --enable-demuxer=mov,matroska,concat,image2,image_png_pipe,image_jpeg_pipe,image_webp_pipe,gif,mp3,aac,wav \
  --enable-muxer=mp4,mov,image2,null,rawvideo \
  --enable-decoder=h264,hevc,mpeg4,vp8,vp9,png,mjpeg,gif,webp,aac,mp3,opus,vorbis,pcm_s16le,rawvideo \
  --enable-encoder=libx264,aac,png,rawvideo \
  --enable-parser=h264,hevc,aac,png,mpeg4video,vp8,vp9,mjpeg,opus,vorbis \
  --enable-bsf=h264_mp4toannexb,hevc_mp4toannexb,aac_adtstoasc,extract_extradata,vp9_superframe_split \
  --enable-filter=scale,pad,setsar,fps,format,concat,null,anull,aresample,aformat,color,geq,drawbox,trim,atrim,setpts,asetpts,copy,split,crop
make -j"$(nproc)"
make install
