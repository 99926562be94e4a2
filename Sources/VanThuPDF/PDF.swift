public enum VanThuPDFPlaceholder {}
