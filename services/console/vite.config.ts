import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The build goes into the gateway's module, which embeds it (go:embed) and
// serves it at /. Routes are code-split (React.lazy), and the big libraries
// get chunks of their own so the sign-in route loads only what it needs.
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: "../gateway/console/dist",
    emptyOutDir: true,
    target: "es2020",
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks(id: string) {
          if (id.includes("node_modules/echarts") || id.includes("node_modules/zrender")) return "echarts";
          return undefined;
        },
      },
    },
  },
  server: {
    proxy: {
      "/v1": "http://127.0.0.1:8080",
      "/admin/v1": "http://127.0.0.1:8080",
      "/openapi.json": "http://127.0.0.1:8080",
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
  },
});
