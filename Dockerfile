# ticketlab server image. Not built in CI (no Docker engine there); see README "Docker".
#
#   docker build -t ticketlab .
#   docker run --gpus all -p 4000:4000 -e DATABASE_URL=postgres://user:pw@db:5432/ticketlab ticketlab
#
# Builder on Debian bullseye: its glibc (2.31) matches Ubuntu 20.04 of the runtime stage, so the
# native addons built here load there.
FROM node:20-bullseye AS builder
ARG WITH_GPU=1
RUN apt-get update && apt-get install -y --no-install-recommends libopenblas-dev g++ make python3 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY native ./native
RUN npm ci
COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
COPY schema ./schema
COPY test ./test
COPY bench ./bench
COPY dashboard ./dashboard
COPY examples ./examples
COPY assets ./assets
RUN npm run build && npm prune --omit=dev && mkdir -p build
# The CUDA build of tfjs-node (libtensorflow 2.x for CUDA 11.2 + cuDNN 8); the server picks it
# when present and reports `compute { backend: "tensorflow", gpu: true }` only on a visible GPU.
RUN if [ "$WITH_GPU" = "1" ]; then npm install --no-save --omit=dev @tensorflow/tfjs-node-gpu@^4.22.0; fi

FROM nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04
RUN apt-get update && apt-get install -y --no-install-recommends libopenblas-base ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# Node 20 from the builder (official build, glibc >= 2.28).
COPY --from=builder /usr/local/bin/node /usr/local/bin/node
WORKDIR /app
COPY --from=builder /app/package.json ./package.json
COPY --from=builder /app/node_modules ./node_modules
COPY --from=builder /app/dist ./dist
COPY --from=builder /app/build ./build
COPY --from=builder /app/assets ./assets
RUN ln -s /app/dist/src/main.js /usr/local/bin/ticketlab && chmod +x /app/dist/src/main.js \
 && useradd --system --create-home ticketlab
USER ticketlab
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000 TICKETLAB_HOME=/home/ticketlab/.ticketlab
EXPOSE 4000
# DATABASE_URL must point at a PostgreSQL 13+ server; without it the embedded one starts inside
# the container (data lost with the container unless TICKETLAB_HOME is a volume).
CMD ["ticketlab", "serve"]
