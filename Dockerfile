# The Orchestra image: the worker by default; `orchestra setup` and other commands by override.
# Node 24: the LTS line in support (20 reached its end of life in April 2026).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig*.json ./
COPY scripts ./scripts
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY workers ./workers
COPY test ./test
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
WORKDIR /app
# bash for the bash tool; git for the agents' working copies.
# bubblewrap: the sandbox of the agents' bash commands. Docker's default seccomp profile forbids
# the namespaces it needs: run the worker with a profile that allows them (see the README), or
# it warns at start and each agent's policy decides whether bash runs unsandboxed.
RUN apt-get update && apt-get install -y --no-install-recommends bash git ca-certificates bubblewrap && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The agents' working copies live here (a volume in docker-compose.yml); the worker runs as node.
RUN mkdir -p /workspaces && chown node:node /workspaces
USER node
# Two malloc arenas instead of glibc's eight per core: after a burst of agents the worker gives
# memory back instead of keeping it in idle arenas (npm run soak, "memory").
ENV MALLOC_ARENA_MAX=2
ENTRYPOINT ["node", "dist/src/cli/orchestra.js"]
CMD ["worker"]
