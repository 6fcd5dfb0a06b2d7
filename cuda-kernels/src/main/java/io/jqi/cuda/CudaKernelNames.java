package io.jqi.cuda;

import java.util.List;

/** The kernel entry points of each backend PTX module, so the context can resolve them all when it loads. */
final class CudaKernelNames {
    private CudaKernelNames() {
    }

    static List<String> of(String module) {
        return switch (module) {
            case "map" -> List.of("jqi_map");
            case "zip" -> List.of("jqi_zip_same", "jqi_zip_scalar", "jqi_zip_broadcast");
            case "sum_to" -> List.of("jqi_sum_to");
            case "max_last_axis" -> List.of("jqi_max_last_axis");
            case "gemm" -> List.of("jqi_gemm");
            case "permute" -> List.of("jqi_permute");
            case "copy_rows" -> List.of("jqi_copy_rows");
            case "axpy" -> List.of("jqi_axpy");
            case "im2col" -> List.of("jqi_im2col");
            case "col2im" -> List.of("jqi_col2im");
            case "max_pool" -> List.of("jqi_max_pool", "jqi_max_pool_backward");
            case "avg_pool" -> List.of("jqi_avg_pool", "jqi_avg_pool_backward");
            case CudaFakeQuant.MODULE -> List.of("jqi_uniform_grid");
            default -> throw new IllegalArgumentException("unknown backend PTX module " + module);
        };
    }
}
